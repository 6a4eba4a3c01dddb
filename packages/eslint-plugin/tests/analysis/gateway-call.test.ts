import { describe, expect, it } from 'vitest';
import { defaultGatewayWords, isGatewayName, lastWordOf } from '../../src/analysis/gateway-call.js';

describe('gateway names', () => {
  it.each([
    ['paymentGateway', 'gateway'],
    ['HTTPClient', 'client'],
    ['S3Client', 'client'],
    ['stripe_client', 'client'],
    ['$smsSender', 'sender'],
    ['clientId', 'id'],
    ['gateway', 'gateway'],
  ])('reads the last word of %s as %s', (name, word) => {
    expect(lastWordOf(name)).toBe(word);
  });

  it('takes a name whose last word is a gateway word, plurals included', () => {
    for (const name of ['paymentGateway', 'StripeClient', 'providers', 'PaymentPort', 'mailTransport', 'api']) {
      expect(isGatewayName(name, defaultGatewayWords), name).toBe(true);
    }
  });

  it('leaves names that only contain a gateway word elsewhere', () => {
    for (const name of ['clientId', 'report', 'support', 'apiKey', 'providerName', 'gatewayUrl', 'passport']) {
      expect(isGatewayName(name, defaultGatewayWords), name).toBe(false);
    }
  });
});
