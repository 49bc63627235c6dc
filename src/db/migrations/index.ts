import type { Migration } from 'kysely';
import * as directory from './001_directory.js';
import * as oidc from './002_oidc.js';
import * as mail from './003_mail.js';
import * as invitations from './004_invitations.js';
import * as signIn from './005_sign_in.js';
import * as signIns from './006_sign_ins.js';
import * as tokenRevocation from './007_token_revocation.js';
import * as identityLookup from './008_identity_lookup.js';
import * as instanceMail from './009_instance_mail.js';
import * as identityProviders from './010_identity_providers.js';
import * as mfa from './011_mfa.js';
import * as rateLimitShards from './012_rate_limit_shards.js';
import * as bulkJobs from './013_bulk_jobs.js';
import * as webhooks from './014_webhooks.js';
import * as portal from './015_console.js';
import * as webhookEndpointEnabled from './017_webhook_endpoint_enabled.js';
import * as deferredMail from './018_deferred_mail_and_other_mails.js';

/**
 * Every migration, in order. Static imports (not a folder scan) so the list works the same under tsx,
 * a bundle, or compiled output. Names sort lexically: keep the numeric prefix.
 */
export const migrations: Record<string, Migration> = {
  '001_directory': directory,
  '002_oidc': oidc,
  '003_mail': mail,
  '004_invitations': invitations,
  '005_sign_in': signIn,
  '006_sign_ins': signIns,
  '007_token_revocation': tokenRevocation,
  '008_identity_lookup': identityLookup,
  '009_instance_mail': instanceMail,
  '010_identity_providers': identityProviders,
  '011_mfa': mfa,
  '012_rate_limit_shards': rateLimitShards,
  '013_bulk_jobs': bulkJobs,
  '014_webhooks': webhooks,
  '015_console': portal,
  '017_webhook_endpoint_enabled': webhookEndpointEnabled,
  '018_deferred_mail_and_other_mails': deferredMail,
};
