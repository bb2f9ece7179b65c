// How many routers `vrrpd lab --routers N` may run: two to elect, at most nine (r1..r9, one digit).
export const MIN_ROUTERS = 2;
export const MAX_ROUTERS = 9;
