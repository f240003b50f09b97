/**
 * White-label services (docs/jottacloud-protocol.md "Tokens and login"). All use the same
 * jfs./api. hosts; only the identity server differs. The standard (login token) flow does not need this table — the token
 * carries its issuer — but the traditional flow and token refresh of such accounts do.
 */

export interface WhiteLabelService {
  key: string;
  name: string;
  /** Identity host. */
  domain: string;
  realm: string;
  clientId: string;
  scopes: readonly string[];
}

const DEFAULT_SCOPES = Object.freeze(['openid', 'jotta-default', 'offline_access']);
// Phonero and Let's Go reject the jotta-default scope and the `desktop` client (rclone 7e08899a2).
const MINIMAL_SCOPES = Object.freeze(['openid', 'offline_access']);

export const SERVICES: readonly WhiteLabelService[] = Object.freeze([
  { key: 'jottacloud', name: 'Jottacloud', domain: 'id.jottacloud.com', realm: 'jottacloud', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'elgiganten_dk', name: 'Elgiganten Cloud (Denmark)', domain: 'cloud.elgiganten.dk', realm: 'elgiganten', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'elgiganten_se', name: 'Elgiganten Cloud (Sweden)', domain: 'cloud.elgiganten.se', realm: 'elgiganten', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'elkjop', name: 'Elkjøp Cloud (Norway)', domain: 'cloud.elkjop.no', realm: 'elkjop', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'elko', name: 'ELKO Cloud (Iceland)', domain: 'cloud.elko.is', realm: 'elko', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'gigantti', name: 'Gigantti Cloud (Finland)', domain: 'cloud.gigantti.fi', realm: 'gigantti', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'letsgo', name: "Let's Go Cloud (Germany)", domain: 'letsgo.jotta.cloud', realm: 'letsgo', clientId: 'desktop-win', scopes: MINIMAL_SCOPES },
  { key: 'mediamarkt', name: 'MediaMarkt Cloud (Multiregional)', domain: 'mediamarkt.jottacloud.com', realm: 'mediamarkt', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'onlime', name: 'Onlime (Denmark)', domain: 'cloud-auth.onlime.dk', realm: 'onlime_wl', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'phonero', name: 'Phonero Sky', domain: 'sky.phonero.no', realm: 'phonero', clientId: 'desktop-win', scopes: MINIMAL_SCOPES },
  { key: 'tele2', name: 'Tele2 Cloud (Sweden)', domain: 'mittcloud-auth.tele2.se', realm: 'comhem', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'telia_no', name: 'Telia Sky (Norway)', domain: 'sky-auth.telia.no', realm: 'get', clientId: 'desktop', scopes: DEFAULT_SCOPES },
  { key: 'telia_se', name: 'Telia Cloud (Sweden)', domain: 'cloud-auth.telia.se', realm: 'telia_se', clientId: 'desktop', scopes: DEFAULT_SCOPES },
]);

export function findService(key: string): WhiteLabelService | undefined {
  return SERVICES.find((s) => s.key === key);
}

/** `https://{domain}/auth/realms/{realm}/.well-known/openid-configuration` (Keycloak layout). */
export function wellKnownUrl(service: WhiteLabelService): string {
  return `https://${service.domain}/auth/realms/${service.realm}/.well-known/openid-configuration`;
}

/** `https://{domain}/auth/realms/{realm}/protocol/openid-connect/token`. */
export function tokenEndpointUrl(service: WhiteLabelService): string {
  return `https://${service.domain}/auth/realms/${service.realm}/protocol/openid-connect/token`;
}

/** rclone's hard-coded default token endpoint. */
export const DEFAULT_TOKEN_ENDPOINT = 'https://id.jottacloud.com/auth/realms/jottacloud/protocol/openid-connect/token';
