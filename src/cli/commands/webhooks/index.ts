import type { Command } from 'commander';
import type { ActionHost } from '../../command-kit.js';
import { registerWebhooksListen } from './listen.js';
import { registerWebhooksVerify } from './verify.js';

export function registerWebhooks(program: Command, host: ActionHost): void {
  const webhooks = program.command('webhooks').description('Receive and check signed webhook deliveries (Standard Webhooks)');
  registerWebhooksListen(webhooks, host);
  registerWebhooksVerify(webhooks, host);
}
