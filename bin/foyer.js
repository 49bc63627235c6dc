#!/usr/bin/env node
// The `foyer` command (npx foyer …). Foyer ships TypeScript sources and runs them through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
