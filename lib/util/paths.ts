/** Pure helpers for '/'-separated absolute paths ('/' is the root, no trailing slash). */

export function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** true when `path` is `ancestor` or lies below it. */
export function isSameOrBelow(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}
