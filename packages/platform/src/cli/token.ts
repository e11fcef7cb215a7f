// npm run token -- <user id> [role,role] [care-person,care-person]: a development JWT signed with the
// JWT_SECRET from dapr.yaml, for trying the APIs with curl.
import { signToken, ROLES, type Role } from '@lifeline/kit';
import { loadRunTemplate } from '../run-template.ts';

const [sub, rolesArg = 'user', careArg = ''] = process.argv.slice(2);
const roles = rolesArg.split(',').filter(Boolean);
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (!sub || unknown.length > 0) {
  console.error(`usage: npm run token -- <user id> [${ROLES.join('|')},...] [care-person,...]${unknown.length ? `\nunknown role(s): ${unknown.join(', ')}` : ''}`);
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? loadRunTemplate().commonEnv.JWT_SECRET;
if (!secret) {
  console.error('no JWT_SECRET in the environment or in dapr.yaml common.env');
  process.exit(1);
}
console.log(await signToken(secret, { sub, roles: roles as Role[], care: careArg.split(',').filter(Boolean) }, { expiresInSeconds: 12 * 3600 }));
