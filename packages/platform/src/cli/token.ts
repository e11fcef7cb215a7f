// npm run token -- <user id> [role,role] [care-person,care-person]: a development JWT signed ES256 with the
// dev identity provider's key (dev-jwt-key.ts, created on first use), whose public half the dev gateway
// serves as the apps' JWKS. For trying the APIs with curl.
import { signToken, ROLES, type Role } from '@lifeline/kit';
import { loadOrCreateDevKey } from '../dev-jwt-key.ts';

const [sub, rolesArg = 'user', careArg = ''] = process.argv.slice(2);
const roles = rolesArg.split(',').filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (!sub || unknown.length > 0) {
  console.error(`usage: npm run token -- <user id> [${ROLES.join('|')},...] [care-person,...]${unknown.length ? `\nunknown role(s): ${unknown.join(', ')}` : ''}`);
  process.exit(2);
}
const { signing } = loadOrCreateDevKey();
console.log(await signToken(signing, { sub, roles: roles as Role[], care: careArg.split(',').filter(Boolean) }, { expiresInSeconds: 12 * 3600 }));
