import type { ColumnType, Generated } from 'kysely';

/**
 * Table shapes, shared by both dialects. Portable storage choices: timestamps are ISO-8601 UTC text
 * (they sort correctly as text), booleans are integers 0/1, lists and documents are JSON text.
 */
export interface TenantsTable {
  id: string;
  slug: string;
  display_name: string;
  default_domain: string;
  default_language: string;
  logo_url: string | null;
  privacy_statement_url: string | null;
  created_at: string;
}

export interface TenantDomainsTable {
  domain: string;
  tenant_id: string;
  verified: number;
  verification_token: string;
  created_at: string;
  verified_at: string | null;
}

/** Each member's otherMails, lower-cased; kept by triggers on `users` (migration 018). */
export interface UserOtherMailsTable {
  tenant_id: string;
  address_lower: string;
  user_id: string;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  display_name: string;
  given_name: string | null;
  surname: string | null;
  mail: string | null;
  other_mails: string;
  user_principal_name: string;
  mail_nickname: string;
  user_type: 'Member' | 'Guest';
  account_enabled: number;
  preferred_language: string | null;
  created_at: string;
  creation_type: string | null;
  external_user_state: string | null;
  external_user_state_changed_at: string | null;
  password_hash: string | null;
  job_title: string | null;
  /** When a guest accepted the resource tenant's "Review permissions" page; null until then. */
  consented_at: string | null;
  /** Graph's signInSessionsValidFromDateTime: sessions and refresh tokens issued before it are dead. */
  sign_in_sessions_valid_from: string | null;
}

export interface UserIdentitiesTable {
  tenant_id: string;
  user_id: string;
  sign_in_type: string;
  issuer: string;
  issuer_assigned_id: string;
}

export interface UserSponsorsTable {
  tenant_id: string;
  user_id: string;
  sponsor_id: string;
}

export interface GroupsTable {
  tenant_id: string;
  id: string;
  display_name: string;
  description: string | null;
  mail_nickname: string;
  created_at: string;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  member_id: string;
}

export interface GroupOwnersTable {
  tenant_id: string;
  group_id: string;
  owner_id: string;
}

export interface ApplicationsTable {
  tenant_id: string;
  id: string;
  app_id: string;
  display_name: string;
  sign_in_audience: string;
  web_redirect_uris: string;
  spa_redirect_uris: string;
  public_client_redirect_uris: string;
  app_roles: string;
  created_at: string;
  /** Tokens issued before this instant are refused (a secret was removed); null when none ever was. */
  tokens_valid_after: string | null;
  /** Graph's web.homePageUrl: where My Apps opens the app; optional on insert. */
  web_home_page_url: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApplicationPasswordsTable {
  tenant_id: string;
  application_id: string;
  key_id: string;
  display_name: string | null;
  hint: string;
  /** HMAC-SHA-256 of the secret, keyed by FOYER_SECRET: client secrets are high-entropy, see BENCH.md. */
  secret_hash: string;
  start_date_time: string;
  end_date_time: string;
}

export interface ApplicationPermissionsTable {
  tenant_id: string;
  application_id: string;
  permission: string;
}

export interface DirectoryRoleAssignmentsTable {
  tenant_id: string;
  user_id: string;
  role: string;
}

export interface PoliciesTable {
  tenant_id: string;
  policy_type: string;
  document: string;
  updated_at: string;
}

export interface AuditLogsTable {
  tenant_id: string;
  id: string;
  activity_date_time: string;
  activity_display_name: string;
  category: string;
  operation_type: string;
  result: string;
  result_reason: string;
  logged_by_service: string;
  correlation_id: string;
  initiated_by: string;
  target_resources: string;
  additional_details: string;
}

/** One sign-in attempt in a resource tenant (src/signins); never holds a password, code or ticket. */
export interface SignInsTable {
  tenant_id: string;
  id: string;
  created_at: string;
  user_id: string | null;
  user_principal_name: string | null;
  user_display_name: string | null;
  app_id: string | null;
  app_display_name: string | null;
  ip_address: string;
  client_app_used: string | null;
  correlation_id: string;
  result: 'success' | 'failure' | 'interrupted';
  /** 0 on success; otherwise an AADSTS number where Entra has one (src/signins/failures.ts). */
  error_code: number;
  failure_reason: string | null;
  additional_details: string | null;
  home_tenant_id: string | null;
  cross_tenant_access_type: string;
  authentication_method: string;
  incoming_token_type: string;
  is_interactive: number;
  /** Graph beta authenticationRequirement: singleFactorAuthentication or multiFactorAuthentication. */
  authentication_requirement: string;
  /** How MFA was met (Foyer): resourceTenant or homeTenant; null when not required. */
  mfa_source: string | null;
  /** The second factor used here (`totp`, `recoveryCode`), when MFA was done in this tenant. */
  mfa_method: string | null;
}

export interface OperatorTokensTable {
  id: string;
  token_hash: string;
  description: string;
  created_at: string;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
}

export interface Database {
  tenants: TenantsTable;
  tenant_domains: TenantDomainsTable;
  users: UsersTable;
  user_identities: UserIdentitiesTable;
  user_sponsors: UserSponsorsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_owners: GroupOwnersTable;
  applications: ApplicationsTable;
  application_passwords: ApplicationPasswordsTable;
  application_permissions: ApplicationPermissionsTable;
  directory_role_assignments: DirectoryRoleAssignmentsTable;
  policies: PoliciesTable;
  audit_logs: AuditLogsTable;
  sign_ins: SignInsTable;
  operator_tokens: OperatorTokensTable;
  instance_settings: InstanceSettingsTable;
  mail_outbox: MailOutboxTable;
  user_other_mails: UserOtherMailsTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  invitations: InvitationsTable;
  invitation_blocks: InvitationBlocksTable;
  rate_limit_counters: RateLimitCountersTable;
  rate_limit_shards: RateLimitShardsTable;
  personal_accounts: PersonalAccountsTable;
  web_sessions: WebSessionsTable;
  one_time_codes: OneTimeCodesTable;
  sign_in_failures: SignInFailuresTable;
  bulk_jobs: BulkJobsTable;
  bulk_job_rows: BulkJobRowsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  portal_sessions: PortalSessionsTable;
  portal_form_stash: PortalFormStashTable;
  tenant_logos: TenantLogosTable;
  identity_providers: IdentityProvidersTable;
  identity_provider_domains: IdentityProviderDomainsTable;
  federation_states: FederationStatesTable;
  mfa_methods: MfaMethodsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  web_session_mfa: WebSessionMfaTable;
  cross_tenant_partners: CrossTenantPartnersTable;
}

/** A webhook endpoint (src/webhooks): `events` is a JSON list; the secret is encrypted with FOYER_SECRET. */
export interface WebhookEndpointsTable {
  tenant_id: string;
  id: string;
  url: string;
  description: string | null;
  events: string;
  secret_encrypted: string;
  created_at: string;
  /** 1 or 0: a disabled endpoint gets no new deliveries. */
  enabled: Generated<number>;
}

export type WebhookDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/** One event for one endpoint, delivered at least once by the webhook worker under a lease. */
export interface WebhookDeliveriesTable {
  tenant_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  claim_token: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** Every attempt of a delivery: the delivery log an administrator reads. */
export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** `validated`: checked and kept, waiting for the console's Start (the runner only claims `running`). */
export type BulkJobStatus = 'validated' | 'running' | 'completed';
export type BulkRowStatus = 'pending' | 'invited' | 'reinvited' | 'failed' | 'skipped';

/** A bulk invitation job (src/bulk): the principal that started it (JSON), counters, and its lease. */
export interface BulkJobsTable {
  tenant_id: string;
  id: string;
  status: BulkJobStatus;
  principal: string;
  file_name: string | null;
  total_rows: number;
  processed_rows: number;
  invited_count: number;
  reinvited_count: number;
  failed_count: number;
  skipped_count: number;
  /** The validation report (JSON) the job was created with. */
  validation: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  claimed_until: string | null;
  claim_token: string | null;
}

/** One CSV row of a bulk job and, once processed, its result. */
export interface BulkJobRowsTable {
  tenant_id: string;
  job_id: string;
  row_number: number;
  email: string;
  display_name: string | null;
  redirect_url: string | null;
  message: string | null;
  language: string | null;
  status: BulkRowStatus;
  user_id: string | null;
  error: string | null;
  processed_at: string | null;
}

/** A browser signed in to a tenant's console or My Apps (src/console/session.ts); only the cookie's hash. */
export interface PortalSessionsTable {
  id_hash: string;
  tenant_id: string;
  user_id: string;
  /** For RP-initiated logout (id_token_hint). */
  id_token: string;
  created_at: string;
  expires_at: string;
}

/** A form posted after its session expired, restored once after the sign-in (src/console/stash.ts). */
export interface PortalFormStashTable {
  id_hash: string;
  tenant_id: string;
  path: string;
  fields: string;
  expires_at: string;
}

/** A tenant's logo, uploaded in the console and served at /{tenantId}/branding/logo. */
export interface TenantLogosTable {
  tenant_id: string;
  content_type: string;
  /** base64 */
  data: string;
  updated_at: string;
}

/** A tenant's OpenID Connect identity provider (issue 9); the client secret is encrypted under FOYER_SECRET. */
export interface IdentityProvidersTable {
  tenant_id: string;
  id: string;
  /** `oidc` (openIdConnectIdentityProvider) or `google` (socialIdentityProvider, Google). */
  kind: string;
  display_name: string;
  client_id: string;
  client_secret_encrypted: string;
  metadata_url: string;
  issuer: string;
  scope: string;
  response_type: string;
  /** JSON: {userId, email, displayName} claim names. */
  claims_mapping: string;
  created_at: string;
  updated_at: string;
}

export interface IdentityProviderDomainsTable {
  tenant_id: string;
  /** Lower case. */
  domain: string;
  provider_id: string;
}

/** An authorization request toward an IdP, until its callback consumes it (single use). */
export interface FederationStatesTable {
  id_hash: string;
  tenant_id: string;
  provider_id: string;
  purpose: string;
  context: string;
  code_verifier: string;
  nonce: string;
  expires_at: string;
}

/** A user object's TOTP method (src/mfa): pending until its first code, then active. */
export interface MfaMethodsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  status: 'pending' | 'active';
  /** The base32 secret, AES-256-GCM under a key derived from FOYER_SECRET. */
  secret_encrypted: string;
  /** The last accepted TOTP time step (bigint: pg returns it as a string). */
  last_used_step: number | string | null;
  created_at: string;
  activated_at: string | null;
}

export interface MfaRecoveryCodesTable {
  tenant_id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** A browser session that passed a tenant's MFA (the keyed hash of the session cookie, as web_sessions). */
export interface WebSessionMfaTable {
  session_hash: string;
  tenant_id: string;
  user_id: string;
  method: string;
  satisfied_at: string;
  expires_at: string;
}

/** crossTenantAccessPolicy/partners: whether the tenant trusts the partner tenant's MFA. */
export interface CrossTenantPartnersTable {
  tenant_id: string;
  partner_tenant_id: string;
  is_mfa_accepted: number;
  created_at: string;
  updated_at: string;
}

/** Instance-level personal accounts (PRODUCT §1): owned by no tenant. */
export interface PersonalAccountsTable {
  id: string;
  email: string;
  email_lower: string;
  display_name: string;
  password_hash: string;
  preferred_language: string | null;
  account_enabled: number;
  created_at: string;
  password_changed_at: string;
}

/** A browser's sign-in (src/sessions): the keyed hash of the cookie, whose it is, and how it was proven. */
export interface WebSessionsTable {
  id_hash: string;
  subject: string;
  /** The home identity as JSON (src/sessions/identity.ts). */
  identity: string;
  /** Authentication methods as a JSON list (`pwd`, `otp`, …). */
  amr: string;
  /** Epoch seconds (bigint: pg returns it as a string). */
  auth_time: number | string;
  created_at: string;
  expires_at: string;
}

export type CodePurpose = 'passcode' | 'signup' | 'reset';

export interface OneTimeCodesTable {
  id: string;
  purpose: CodePurpose;
  email_lower: string;
  code_hash: string;
  attempts: number;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

export interface SignInFailuresTable {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export type InvitationStatus = 'PendingAcceptance' | 'Accepted' | 'Revoked' | 'Expired';

/** One per guest (src/invitations): the redemption state and the hash of the one live ticket. */
export interface InvitationsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  invited_email: string;
  invited_display_name: string | null;
  invited_user_type: 'Guest' | 'Member';
  invite_redirect_url: string;
  /** invitedUserMessageInfo as JSON. */
  message_info: string;
  send_invitation_message: number;
  status: InvitationStatus;
  ticket_hash: string;
  /** The inviter as JSON {kind, id, displayName, mail}. */
  inviter: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  last_sent_at: string | null;
  reminders_sent: number;
  redeemed_at: string | null;
}

export interface InvitationBlocksTable {
  tenant_id: string;
  email_lower: string;
  created_at: string;
}

export interface RateLimitCountersTable {
  bucket: string;
  window_start: number;
  count: number;
}

/** A tenant-wide ceiling's count of one instance in one window (PostgreSQL; summed over the instances). */
export interface RateLimitShardsTable {
  bucket: string;
  window_start: number;
  shard: string;
  count: number;
}

// Keep the import used even when no table has a generated column yet.
export type { Generated };

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** The durable mail outbox (src/mail): addresses are JSON lists of {name, address}; times ISO-8601 text. */
export interface MailOutboxTable {
  /** Null for instance-level mail (a personal account's sign-up code). */
  tenant_id: string | null;
  id: string;
  message_id: string;
  category: string;
  from_address: string;
  from_name: string | null;
  to_addresses: string;
  cc_addresses: string;
  reply_to_address: string | null;
  reply_to_name: string | null;
  subject: string;
  html_body: string;
  text_body: string;
  language: string;
  headers: string;
  status: MailStatus;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  claim_token: string | null;
  last_error: string | null;
  delivered_via: string | null;
  created_at: string;
  sent_at: string | null;
  dedupe_key: string | null;
  correlation_id: string | null;
  related_id: string | null;
  /**
   * JSON of the MailTemplate a mail is rendered from (src/mail/templated.ts); null for mails enqueued already
   * rendered, and once delivery is over (the rendered, redacted bodies are stored then). While set, the body
   * columns are empty and readers render on read.
   */
  template: string | null;
}

/** oidc-provider's artefacts (src/oidc/adapter.ts): one row per model instance, payload as JSON text. */
export interface OidcPayloadsTable {
  tenant_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** Epoch seconds (bigint: pg returns it as a string, SQLite as a number). */
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

/** Per-tenant token signing keys (src/oidc/keys.ts); the private JWK is stored encrypted. */
export interface OidcSigningKeysTable {
  tenant_id: string;
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_encrypted: string;
  created_at: string;
  retired_at: string | null;
}
