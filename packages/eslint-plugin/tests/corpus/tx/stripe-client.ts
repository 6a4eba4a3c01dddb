// Shape: the SDK client built once in a config module and imported where it is used (the commonest
// Express/Next.js layout: `import { stripe } from '../lib/stripe'`), plus CommonJS-style `require('stripe')(key)`.
import Stripe from 'stripe';

export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');
