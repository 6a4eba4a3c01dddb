// Shape: a notification provider behind an interface, one implementation per vendor (SendGrid, S3
// archive), injected into services. Modelled on novu-style and NestJS "notification module" designs.
import sgMail from '@sendgrid/mail';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface NotificationProvider {
  notify(to: string, message: string): Promise<void>;
}

export class SendGridProvider implements NotificationProvider {
  async notify(to: string, message: string): Promise<void> {
    await sgMail.send({ to, from: 'shop@example.com', subject: 'Order update', text: message });
  }
}

export class ArchiveProvider implements NotificationProvider {
  constructor(private readonly s3: S3Client) {}

  async notify(to: string, message: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: 'notifications', Key: `${to}/${Date.now()}`, Body: message }));
  }
}

/** Formats a message: local work only. */
export function orderMessage(orderId: string, state: string): string {
  return `Order ${orderId} is now ${state}`;
}
