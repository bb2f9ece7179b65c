// A checker block of the configuration (config/checkers.ts) as the checkers take it
// (checkers/spec.ts): the configuration speaks keepalived's keywords, the checkers their own
// terms; this is the one place that maps one onto the other.
import type { CheckerConfig } from '../config/checkers.js';
import type { CheckSpec, Endpoint } from '../checkers/spec.js';

const bytesOf = (hex: string | undefined): Uint8Array | undefined => (hex === undefined ? undefined : Uint8Array.from(Buffer.from(hex, 'hex')));

export function checkSpecOf(checker: CheckerConfig): CheckSpec {
  const endpoint: Endpoint = {
    address: checker.connectIp,
    family: checker.connectIp.includes(':') ? 'ipv6' : 'ipv4',
    port: checker.connectPort,
    ...(checker.bindTo !== undefined ? { bindTo: checker.bindTo } : {}),
    ...(checker.bindPort !== undefined ? { bindPort: checker.bindPort } : {}),
    ...(checker.bindInterface !== undefined ? { bindInterface: checker.bindInterface } : {}),
  };
  const common = { endpoint, connectTimeoutMs: checker.connectTimeoutMs, retry: checker.retry, delayBeforeRetryMs: checker.delayBeforeRetryMs };
  switch (checker.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      return {
        ...common,
        type: checker.type,
        urls: checker.urls.map((url) => ({
          path: url.path,
          statusCodes: url.statusCodes,
          ...(url.digest !== undefined ? { digest: url.digest } : {}),
          ...(url.virtualhost !== undefined ? { virtualhost: url.virtualhost } : {}),
        })),
        ...(checker.virtualhost !== undefined ? { virtualhost: checker.virtualhost } : {}),
        protocol: checker.httpProtocol,
        ...(checker.type === 'SSL_GET'
          ? { tls: { sni: checker.enableSni, compliant: checker.tlsCompliant, ...(checker.verifyCertificate !== undefined ? { caFile: checker.verifyCertificate } : {}) } }
          : {}),
      };
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return { ...common, type: checker.type };
    case 'DNS_CHECK':
      return { ...common, type: 'DNS_CHECK', queryType: checker.queryType, name: checker.name };
    case 'SMTP_CHECK':
      return { ...common, type: 'SMTP_CHECK', heloName: checker.heloName };
    case 'UDP_CHECK': {
      const payload = bytesOf(checker.payload);
      const reply = checker.requireReply;
      const data = bytesOf(reply?.data);
      const mask = bytesOf(reply?.mask);
      return {
        ...common,
        type: 'UDP_CHECK',
        ...(payload ? { payload } : {}),
        ...(reply ? { requireReply: { minLength: checker.minReplyLength, maxLength: checker.maxReplyLength, ...(data ? { data } : {}), ...(mask ? { mask } : {}) } } : {}),
      };
    }
  }
}
