export { signWebhook, webhookHeaders, decodeWebhookSecret, WebhookSecretError, type WebhookHeaders } from './sign.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  DEFAULT_TOLERANCE_SEC,
  type WebhookVerificationReason,
  type VerifyWebhookOptions,
  type VerifiedWebhook,
  type WebhookHeaderInput,
} from './verify.js';
export { generateWebhookSecret } from './secret.js';
export {
  createWebhookReceiver,
  WebhookReceiver,
  type WebhookEvent,
  type WebhookRejection,
  type WebhookRejectionReason,
  type WebhookReceiverOptions,
  type WebhookReceiverEvents,
} from './receiver.js';
