// What every repository is built from: the Kysely instance, and the engine's way
// of turning a unique-constraint violation into a DuplicateError.
import type { Kysely, Selectable } from 'kysely';
import type { Tables } from '../tables.js';

export type Row<T extends keyof Tables> = Selectable<Tables[T]>;
export type Unique = <T>(what: string, fn: () => Promise<T>) => Promise<T>;
export interface Repo { db: Kysely<Tables>; unique: Unique }

export const bool = (b: boolean) => (b ? 1 : 0);
export const num = (v: unknown) => Number(v);
export const numOrNull = (v: unknown) => (v == null ? null : Number(v));
