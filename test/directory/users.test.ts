import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/database.js';
import {
  createUser,
  type DirectoryContext,
  directoryContext,
  expectGraphError,
  ids,
  newUser,
  TEST_BASE_URL,
  UUID_PATTERN,
  walkPages,
} from './support.js';

type User = Record<string, unknown> & { id: string; displayName: string };

const defaultProperties = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

describe.each(testDialects())('users on %s', (dialect) => {
  let ctx: DirectoryContext;
  beforeAll(async () => {
    ctx = await directoryContext(dialect);
  });
  afterAll(async () => ctx?.close());

  const count = async (filter: string) => {
    const response = await ctx.api.get(`/users?$count=true&$filter=${encodeURIComponent(filter)}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { '@odata.count': number })['@odata.count'];
  };

  describe('create, read, update, delete', () => {
    it('creates a member and answers 201 with Location and the Graph default properties', async () => {
      const body = newUser(ctx.domain, { givenName: 'Ada', surname: 'Lovelace', jobTitle: 'Statistician' });
      const response = await ctx.api.post('/users', body);
      expect(response.statusCode, response.body).toBe(201);
      const user = response.json() as User;
      expect(user.id).toMatch(UUID_PATTERN);
      expect(response.headers.location).toBe(`${TEST_BASE_URL}/v1.0/users/${user.id}`);
      expect(Object.keys(user).sort()).toEqual(['@odata.context', ...defaultProperties].sort());
      expect(user).toMatchObject({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#users/$entity`,
        displayName: body.displayName,
        givenName: 'Ada',
        surname: 'Lovelace',
        jobTitle: 'Statistician',
        userPrincipalName: body.userPrincipalName,
        businessPhones: [],
      });
      expect(response.body).not.toContain('correct horse');
      expect(response.body).not.toContain('password');
    });

    it('reads a user by id and by userPrincipalName (case-insensitively)', async () => {
      const created = await createUser(ctx.api, ctx.domain);
      const byId = await ctx.api.get(`/users/${created.id}`);
      expect(byId.statusCode).toBe(200);
      expect(byId.json()).toMatchObject({ id: created.id, userPrincipalName: created.userPrincipalName });
      const byUpn = await ctx.api.get(
        `/users/${encodeURIComponent(created.userPrincipalName.toUpperCase())}`,
      );
      expect(byUpn.statusCode).toBe(200);
      expect(byUpn.json()).toMatchObject({ id: created.id });
      const byUpperId = await ctx.api.get(`/users/${created.id.toUpperCase()}`);
      expect(byUpperId.json()).toMatchObject({ id: created.id });
    });

    it('reads a user by a long userPrincipalName (over 100 characters)', async () => {
      const local = `long.${'l'.repeat(113 - ctx.domain.length - 6)}`;
      const created = await createUser(ctx.api, ctx.domain, { userPrincipalName: `${local}@${ctx.domain}` });
      expect(created.userPrincipalName).toHaveLength(113);
      const response = await ctx.api.get(`/users/${encodeURIComponent(created.userPrincipalName)}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ id: created.id });
    });

    it('reads the properties named in $select only, with a matching @odata.context', async () => {
      const created = await createUser(ctx.api, ctx.domain);
      const response = await ctx.api.get(
        `/users/${created.id}?$select=id,userType,accountEnabled,identities`,
      );
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        '@odata.context': `${TEST_BASE_URL}/v1.0/$metadata#users(id,userType,accountEnabled,identities)/$entity`,
        id: created.id,
        userType: 'Member',
        accountEnabled: true,
        identities: [
          {
            signInType: 'userPrincipalName',
            issuer: ctx.domain,
            issuerAssignedId: created.userPrincipalName,
          },
        ],
      });
    });

    it('updates with PATCH (204) and the change is visible', async () => {
      const created = await createUser(ctx.api, ctx.domain);
      const response = await ctx.api.patch(`/users/${created.id}`, {
        displayName: 'Renamed',
        jobTitle: 'Engineer',
        accountEnabled: false,
        otherMails: ['renamed@example.com'],
      });
      expect(response.statusCode, response.body).toBe(204);
      expect(response.body).toBe('');
      const after = await ctx.api.get(
        `/users/${created.id}?$select=displayName,jobTitle,accountEnabled,otherMails,userPrincipalName`,
      );
      expect(after.json()).toMatchObject({
        displayName: 'Renamed',
        jobTitle: 'Engineer',
        accountEnabled: false,
        otherMails: ['renamed@example.com'],
        userPrincipalName: created.userPrincipalName,
      });
    });

    it('PATCH with an unknown or mistyped property is a 400 and changes nothing', async () => {
      const created = await createUser(ctx.api, ctx.domain);
      for (const body of [
        { displayName: 'Changed', favouriteColour: 'blue' },
        { displayName: 'Changed', accountEnabled: 'no' },
        { displayName: '' },
        { id: '00000000-0000-4000-8000-000000000000' },
      ]) {
        expectGraphError(await ctx.api.patch(`/users/${created.id}`, body), 400, 'Request_BadRequest');
      }
      const after = await ctx.api.get(`/users/${created.id}`);
      expect(after.json()).toMatchObject({ id: created.id, displayName: created.displayName });
    });

    it('deletes a user (204); afterwards it is a 404 everywhere', async () => {
      const created = await createUser(ctx.api, ctx.domain);
      const response = await ctx.api.delete(`/users/${created.id}`);
      expect(response.statusCode).toBe(204);
      expectGraphError(await ctx.api.get(`/users/${created.id}`), 404, 'Request_ResourceNotFound');
      expectGraphError(
        await ctx.api.patch(`/users/${created.id}`, { displayName: 'x' }),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(await ctx.api.delete(`/users/${created.id}`), 404, 'Request_ResourceNotFound');
      expectGraphError(await ctx.api.get(`/users/${created.id}/memberOf`), 404, 'Request_ResourceNotFound');
      expect(await count(`id eq '${created.id}'`)).toBe(0);
    });

    it('an unknown id or UPN is 404 Request_ResourceNotFound', async () => {
      expectGraphError(
        await ctx.api.get('/users/6f1d4b3e-0000-4000-8000-000000000001'),
        404,
        'Request_ResourceNotFound',
      );
      expectGraphError(await ctx.api.get(`/users/nobody@${ctx.domain}`), 404, 'Request_ResourceNotFound');
    });
  });

  describe('validation', () => {
    it('a duplicate userPrincipalName (any case) is 400 Request_MultipleObjectsWithSameKeyValue, written once', async () => {
      const first = await createUser(ctx.api, ctx.domain);
      const again = newUser(ctx.domain, { userPrincipalName: first.userPrincipalName.toUpperCase() });
      expectGraphError(await ctx.api.post('/users', again), 400, 'Request_MultipleObjectsWithSameKeyValue');
      expect(await count(`userPrincipalName eq '${first.userPrincipalName}'`)).toBe(1);
    });

    it('renaming onto a taken userPrincipalName is a 400 and keeps both users as they were', async () => {
      const a = await createUser(ctx.api, ctx.domain);
      const b = await createUser(ctx.api, ctx.domain);
      expectGraphError(
        await ctx.api.patch(`/users/${b.id}`, {
          userPrincipalName: a.userPrincipalName,
          displayName: 'Moved',
        }),
        400,
        'Request_MultipleObjectsWithSameKeyValue',
      );
      expect((await ctx.api.get(`/users/${b.id}`)).json()).toMatchObject({
        userPrincipalName: b.userPrincipalName,
        displayName: b.displayName,
      });
    });

    it('a userPrincipalName on a domain the tenant has not verified is 400 Request_InvalidValue', async () => {
      const body = newUser('not-ours.example.com');
      expectGraphError(await ctx.api.post('/users', body), 400, 'Request_InvalidValue');
      expect(await count(`userPrincipalName eq '${body.userPrincipalName}'`)).toBe(0);
      const existing = await createUser(ctx.api, ctx.domain);
      expectGraphError(
        await ctx.api.patch(`/users/${existing.id}`, {
          userPrincipalName: `${existing.id}@not-ours.example.com`,
        }),
        400,
        'Request_InvalidValue',
      );
      for (const upn of ['no-at-sign', `@${ctx.domain}`, `two words@${ctx.domain}`]) {
        expectGraphError(
          await ctx.api.post('/users', newUser(ctx.domain, { userPrincipalName: upn })),
          400,
          'Request_InvalidValue',
        );
      }
    });

    it('a member without passwordProfile, or a body with missing or mistyped fields, is a 400', async () => {
      const { passwordProfile: _, ...withoutPassword } = newUser(ctx.domain);
      expectGraphError(await ctx.api.post('/users', withoutPassword), 400, 'Request_BadRequest');
      const { displayName: __, ...withoutName } = newUser(ctx.domain);
      expectGraphError(await ctx.api.post('/users', withoutName), 400, 'Request_BadRequest');
      expectGraphError(
        await ctx.api.post('/users', newUser(ctx.domain, { accountEnabled: 'yes' })),
        400,
        'Request_BadRequest',
      );
      expectGraphError(
        await ctx.api.post('/users', newUser(ctx.domain, { mail: 'not-an-email' })),
        400,
        'Request_BadRequest',
      );
      expectGraphError(
        await ctx.api.post('/users', newUser(ctx.domain, { passwordProfile: { password: 'short' } })),
        400,
        'Request_BadRequest',
      );
      expectGraphError(
        await ctx.api.post('/users', newUser(ctx.domain, { manager: 'x' })),
        400,
        'Request_BadRequest',
      );
      expectGraphError(await ctx.api.post('/users', [newUser(ctx.domain)]), 400, 'Request_BadRequest');
    });

    it('a guest with an identity is listed with it; the same issuer + issuerAssignedId twice is a 400', async () => {
      const identity = {
        signInType: 'federated',
        issuer: 'https://idp.example.com',
        issuerAssignedId: 'ABC-1',
      };
      const guest = await createUser(ctx.api, ctx.domain, { userType: 'Guest', identities: [identity] });
      const read = await ctx.api.get(`/users/${guest.id}?$select=userType,identities,externalUserState`);
      expect(read.json()).toMatchObject({
        userType: 'Guest',
        identities: [identity],
        externalUserState: 'Accepted',
      });
      const clash = newUser(ctx.domain, {
        userType: 'Guest',
        identities: [{ ...identity, issuerAssignedId: 'abc-1' }],
      });
      expectGraphError(await ctx.api.post('/users', clash), 400, 'Request_MultipleObjectsWithSameKeyValue');
      expect(await count(`userPrincipalName eq '${clash.userPrincipalName}'`)).toBe(0);
    });
  });

  describe('OData on /users', () => {
    const people = [
      { displayName: 'Ada Lovelace', mail: 'ada@example.com', jobTitle: 'Analyst' },
      { displayName: 'Alan Turing', mail: 'Alan@Example.com', jobTitle: 'Analyst' },
      { displayName: 'Grace Hopper', mail: 'grace@contoso.com', jobTitle: 'Admiral' },
      {
        displayName: 'Hedy Lamarr',
        mail: 'hedy@fabrikam.com',
        userType: 'Guest',
        accountEnabled: false,
        identities: [{ signInType: 'federated', issuer: 'fabrikam.com', issuerAssignedId: 'hedy' }],
      },
      {
        displayName: 'Katherine Johnson',
        mail: 'kj@nasa.example',
        userType: 'Guest',
        identities: [{ signInType: 'federated', issuer: 'nasa.example', issuerAssignedId: 'kj' }],
      },
      { displayName: "Barbara O'Brien", mail: 'bob@example.com', jobTitle: 'Analyst' },
    ];
    const byName = new Map<string, string>();
    const list = async (query: string) => {
      const response = await ctx.api.get(`/users?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as {
        '@odata.context': string;
        value: User[];
        '@odata.count'?: number;
        '@odata.nextLink'?: string;
      };
    };
    const names = async (query: string) =>
      (await list(query)).value.map((u) => u.displayName).filter((name) => byName.has(name));
    const f = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

    beforeAll(async () => {
      for (const person of people) {
        const user = await createUser(ctx.api, ctx.domain, person);
        byName.set(person.displayName, user.id);
      }
    });

    it('$filter eq / ne on strings is case-insensitive; eq on userType', async () => {
      expect(await names(f("mail eq 'ALAN@example.com'"))).toEqual(['Alan Turing']);
      expect(await names(f("displayName eq 'grace hopper'"))).toEqual(['Grace Hopper']);
      expect(await names(f("userType eq 'Guest'"))).toEqual(['Hedy Lamarr', 'Katherine Johnson']);
      const notAnalysts = await names(f("jobTitle ne 'Analyst'"));
      expect(notAnalysts).toContain('Grace Hopper');
      expect(notAnalysts).not.toContain('Ada Lovelace');
      expect(await names(f("displayName eq 'Barbara O''Brien'"))).toEqual(["Barbara O'Brien"]);
    });

    it('$filter on booleans and on guest state', async () => {
      expect(await names(f('accountEnabled eq false'))).toEqual(['Hedy Lamarr']);
      expect(await names(f("userType eq 'Guest' and accountEnabled eq true"))).toEqual(['Katherine Johnson']);
      expect(await names(f("externalUserState eq 'Accepted'"))).toEqual(['Hedy Lamarr', 'Katherine Johnson']);
      expect(await names(f('externalUserState eq null and jobTitle eq null'))).toEqual([]);
    });

    it('$filter with and / or / startswith / in', async () => {
      expect(await names(f("jobTitle eq 'Analyst' and startswith(displayName, 'A')"))).toEqual([
        'Ada Lovelace',
        'Alan Turing',
      ]);
      expect(await names(f("displayName eq 'Ada Lovelace' or mail eq 'grace@contoso.com'"))).toEqual([
        'Ada Lovelace',
        'Grace Hopper',
      ]);
      expect(await names(f("startswith(mail, 'HED')"))).toEqual(['Hedy Lamarr']);
      expect(await names(f("mail in ('ada@example.com', 'kj@nasa.example', 'nobody@example.com')"))).toEqual([
        'Ada Lovelace',
        'Katherine Johnson',
      ]);
      expect(await names(f(`id in ('${byName.get('Grace Hopper')}')`))).toEqual(['Grace Hopper']);
    });

    it('$filter on identities/any', async () => {
      expect(await names(f("identities/any(i:i/issuer eq 'fabrikam.com')"))).toEqual(['Hedy Lamarr']);
      expect(
        await names(f("identities/any(x:x/issuer eq 'nasa.example' and x/issuerAssignedId eq 'KJ')")),
      ).toEqual(['Katherine Johnson']);
      expect(await names(f("identities/any(i:i/issuer eq 'nowhere.example')"))).toEqual([]);
    });

    it('$select projects the collection and names the projection in @odata.context', async () => {
      const body = await list(`$select=displayName,mail&${f("displayName eq 'Ada Lovelace'")}`);
      expect(body['@odata.context']).toBe(`${TEST_BASE_URL}/v1.0/$metadata#users(displayName,mail)`);
      expect(body.value).toEqual([{ displayName: 'Ada Lovelace', mail: 'ada@example.com' }]);
    });

    it('without $select, a collection carries the Graph default properties', async () => {
      const body = await list(f("displayName eq 'Ada Lovelace'"));
      expect(body['@odata.context']).toBe(`${TEST_BASE_URL}/v1.0/$metadata#users`);
      expect(Object.keys(body.value[0]!).sort()).toEqual([...defaultProperties].sort());
    });

    it('$orderby displayName asc / desc', async () => {
      const ascending = await names('$orderby=displayName');
      expect(ascending).toEqual(
        [...byName.keys()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
      );
      expect(await names('$orderby=displayName desc')).toEqual([...ascending].reverse());
    });

    it('$count=true counts every match, not just the page', async () => {
      const body = await list(`$count=true&$top=1&${f("jobTitle eq 'Analyst'")}`);
      expect(body['@odata.count']).toBe(3);
      expect(body.value).toHaveLength(1);
      expect(body['@odata.nextLink']).toBeDefined();
      expect((await list(f("jobTitle eq 'Analyst'")))['@odata.count']).toBeUndefined();
    });

    it('$search on displayName and mail', async () => {
      expect(await names(`$search=${encodeURIComponent('"displayName:hop"')}`)).toEqual(['Grace Hopper']);
      expect(await names(`$search=${encodeURIComponent('"mail:fabrikam"')}`)).toEqual(['Hedy Lamarr']);
      expect(await names(`$search=${encodeURIComponent('"displayName:ada" OR "mail:nasa"')}`)).toEqual([
        'Ada Lovelace',
        'Katherine Johnson',
      ]);
    });

    it('a listed user, every property selected, is the same as that user read alone', async () => {
      // The list reads only the columns its properties need, and identities only when asked for: whatever it
      // leaves out must not change an answer.
      const every = [
        'id',
        'displayName',
        'givenName',
        'surname',
        'jobTitle',
        'mail',
        'otherMails',
        'userPrincipalName',
        'userType',
        'accountEnabled',
        'preferredLanguage',
        'createdDateTime',
        'creationType',
        'externalUserState',
        'externalUserStateChangeDateTime',
        'identities',
        'businessPhones',
        'mobilePhone',
        'officeLocation',
        'mailNickname',
      ].join(',');
      const page = await list(`$select=${every}&$top=999`);
      for (const name of ['Ada Lovelace', 'Hedy Lamarr']) {
        const listed = page.value.find((u) => u.id === byName.get(name));
        const read = (await ctx.api.get(`/users/${byName.get(name)}?$select=${every}`)).json() as User;
        const { '@odata.context': _, ...alone } = read;
        expect(listed).toEqual(alone);
        expect(Object.keys(listed!)).toEqual(every.split(','));
      }
      const hedy = page.value.find((u) => u.id === byName.get('Hedy Lamarr'));
      expect(hedy?.identities).toEqual([
        { signInType: 'federated', issuer: 'fabrikam.com', issuerAssignedId: 'hedy' },
      ]);
      const ada = page.value.find((u) => u.id === byName.get('Ada Lovelace'));
      expect(ada?.identities).toEqual([
        { signInType: 'userPrincipalName', issuer: ctx.domain, issuerAssignedId: ada?.userPrincipalName },
      ]);
    });

    it('@odata.nextLink paging walks every user exactly once, keeping the other options', async () => {
      const all = await list('$top=999');
      const walked = await walkPages<User>(ctx.api, `/users?$top=2&$select=id,displayName&$count=true`);
      expect(walked.pages).toBe(Math.ceil(all.value.length / 2));
      expect(ids(walked.items)).toEqual(ids(all.value));
      expect(new Set(ids(walked.items)).size).toBe(walked.items.length);
      for (const link of walked.links) {
        expect(link).toMatch(/\$top=2/);
        expect(link).toMatch(/\$select=id(%2C|,)displayName/);
        expect(link).toMatch(/\$skiptoken=[A-Za-z0-9_-]+/);
      }
      for (const item of walked.items) expect(Object.keys(item).sort()).toEqual(['displayName', 'id']);
    });

    it('pages in an order whose property is not selected walk every user once, in that order', async () => {
      // The page reads only the selected columns: the cursor's sort value must still be read.
      for (const orderBy of ['createdDateTime desc', 'userPrincipalName']) {
        const all = await list(`$top=999&$select=id,createdDateTime,userPrincipalName&$orderby=${orderBy}`);
        const walked = await walkPages<User>(ctx.api, `/users?$top=2&$select=id&$orderby=${orderBy}`);
        expect(walked.pages).toBe(Math.ceil(all.value.length / 2));
        expect(ids(walked.items)).toEqual(ids(all.value));
        for (const item of walked.items) expect(Object.keys(item)).toEqual(['id']);
      }
    });

    it('paging is stable under inserts: a user created mid-walk never causes a duplicate or a gap', async () => {
      const first = await list(`$top=2&${f("jobTitle eq 'Analyst'")}`);
      await createUser(ctx.api, ctx.domain, { displayName: 'Aaron Analyst', jobTitle: 'Analyst' });
      const seen = ids(first.value);
      let next = first['@odata.nextLink'];
      while (next) {
        const page = await list(next.slice(`${TEST_BASE_URL}/v1.0/users?`.length));
        seen.push(...ids(page.value));
        next = page['@odata.nextLink'];
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const name of ['Ada Lovelace', 'Alan Turing', "Barbara O'Brien"])
        expect(seen).toContain(byName.get(name));
    });
  });
});
