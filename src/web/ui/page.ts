/// <reference lib="dom" />
// What every page of the admin UI is.
export type Role = 'Viewer' | 'Editor' | 'Admin';

export interface Session {
  user: { id: number; login: string; name: string; email: string; source: string; isGrafanaAdmin: boolean };
  orgId: number;
  orgRole: Role | null;
  orgs: { orgId: number; name: string; role: Role }[];
  csrfToken: string;
  apiKeys: 'enabled' | 'gone';
}

export interface PageContext { session: Session; rerender(): void }

export interface Page {
  id: string;
  title: string;
  /** Whether the signed-in user may see it at all (the server decides anyway). */
  allowed(s: Session): boolean;
  render(ctx: PageContext): Promise<Node>;
}

export const isOrgAdmin = (s: Session) => s.orgRole === 'Admin';
export const isServerAdmin = (s: Session) => s.user.isGrafanaAdmin;
