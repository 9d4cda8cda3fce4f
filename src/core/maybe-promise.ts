// The hot path answers from memory: functions on it return a value when they
// have it and a promise only when they must wait (a store read, a slow hash),
// so a cached credential costs no promise and no microtask.
export type MaybePromise<T> = T | Promise<T>;

/** `f` of the value: now, or once the promise settles. */
export function then<T, R>(v: MaybePromise<T>, f: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}
