// A checker block (config/checkers.ts) as a model: what keepalived refuses in it (check_api.c's
// check_conn_opts, the checkers' end handlers) and what could not work on Linux. It knows nothing
// of where the block stands: a vrrp_script's checker today, a real_server's later; `at` is the
// block's model path, so each issue lands at its keyword's file:line:column, or the block's.
import { dnsNameProblem } from '../core/dns-name.js';
import type { CheckerConfig } from './checkers.js';
import { familyOf } from './addresses.js';
import type { IssueSink } from './issues.js';

const MAX_PORT = 65_535;
/** keepalived's min_reply_length / max_reply_length range. */
const MAX_REPLY_LENGTH = 65_535;
const isLinkLocal6 = (address: string): boolean => /^fe[89ab][0-9a-f]?:/i.test(address);

export function validateChecker(checker: CheckerConfig, at: string, report: IssueSink): void {
  const type = checker.type;
  const family = familyOf(checker.connectIp);
  if (checker.connectIp === '') report.error(`${at}.connectIp`, `${type} needs connect_ip: the address to check`);
  else if (!family) report.error(`${at}.connectIp`, `connect_ip "${checker.connectIp}" is not an IPv4 or IPv6 address`);

  if (type === 'PING_CHECK') {
    if (checker.connectPort !== 0) report.warning(`${at}.connectPort`, 'PING_CHECK sends ICMP echo: connect_port is not used');
  } else if (checker.connectPort === 0) {
    report.error(`${at}.connectPort`, `${type} needs connect_port: the port to check`);
  } else if (!Number.isInteger(checker.connectPort) || checker.connectPort < 1 || checker.connectPort > MAX_PORT) {
    report.error(`${at}.connectPort`, `connect_port ${checker.connectPort} is out of range: must be 1..${MAX_PORT}`);
  }

  if (checker.bindTo !== undefined) {
    const bindFamily = familyOf(checker.bindTo);
    if (!bindFamily) report.error(`${at}.bindTo`, `bindto "${checker.bindTo}" is not an IPv4 or IPv6 address`);
    else if (family && bindFamily !== family) report.error(`${at}.bindTo`, `bindto ${checker.bindTo} is ${bindFamily === 'ipv4' ? 'IPv4' : 'IPv6'} but connect_ip ${checker.connectIp} is not: both must be of one family`);
  }
  if (checker.bindPort !== undefined && type === 'PING_CHECK') report.warning(`${at}.bindPort`, 'PING_CHECK sends ICMP echo: bind_port is not used');
  // Linux needs the interface of a link-local address (its scope); keepalived says so at run time.
  for (const [field, keyword, address] of [['connectIp', 'connect_ip', checker.connectIp], ['bindTo', 'bindto', checker.bindTo]] as const) {
    if (address !== undefined && familyOf(address) === 'ipv6' && isLinkLocal6(address) && checker.bindInterface === undefined) {
      report.error(`${at}.${field}`, `${keyword} ${address} is link-local: set bind_if to the interface it is on`);
    }
  }

  if (!(checker.connectTimeoutMs > 0)) report.error(`${at}.connectTimeoutMs`, `connect_timeout ${checker.connectTimeoutMs / 1000} s is out of range: must be more than 0 s`);

  switch (checker.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      if (checker.urls.length === 0) report.error(at, `${type} needs a url { path ... } block: what to fetch`);
      checker.urls.forEach((url, index) => {
        const where = `${at}.urls[${index}]`;
        if (url.path === '') report.error(`${where}.path`, 'url needs path: the path to fetch (/readyz)');
        else if (/\s/.test(url.path)) report.error(`${where}.path`, `url path "${url.path}" has a space: it goes into the request line as it is`);
        if (url.digest !== undefined && !/^[0-9a-f]{32}$/.test(url.digest)) report.error(`${where}.digest`, `digest "${url.digest}" is not an MD5 digest: 32 hex digits, as vrrpd genhash prints it`);
        if (url.statusCodes.length === 0) report.error(`${where}.statusCodes`, 'status_code names no code: give codes or ranges (200, 200-299)');
      });
      break;
    case 'DNS_CHECK': {
      const problem = dnsNameProblem(checker.name);
      if (problem) report.error(`${at}.name`, `DNS_CHECK name "${checker.name}" ${problem}`);
      break;
    }
    case 'UDP_CHECK':
      for (const [field, keyword] of [['minReplyLength', 'min_reply_length'], ['maxReplyLength', 'max_reply_length']] as const) {
        const value = checker[field];
        if (!Number.isInteger(value) || value < 0 || value > MAX_REPLY_LENGTH) report.error(`${at}.${field}`, `${keyword} ${value} is out of range: must be 0..${MAX_REPLY_LENGTH}`);
      }
      if (checker.minReplyLength > checker.maxReplyLength) {
        report.error(`${at}.minReplyLength`, `min_reply_length ${checker.minReplyLength} is more than max_reply_length ${checker.maxReplyLength}: no reply could pass`);
      }
      if (checker.requireReply === undefined && (checker.minReplyLength !== 0 || checker.maxReplyLength !== 255)) {
        report.warning(`${at}.minReplyLength`, 'min_reply_length and max_reply_length apply to a reply only with require_reply (without it, silence passes)');
      }
      break;
    case 'SMTP_CHECK':
      // It goes on the HELO line: a space or a line break would make another command of it.
      if (checker.heloName === '' || /[\s]/.test(checker.heloName)) report.error(`${at}.heloName`, `helo_name "${checker.heloName}" must be one word: it is sent as HELO's argument`);
      break;
    case 'TCP_CHECK':
    case 'PING_CHECK':
      break;
  }
}
