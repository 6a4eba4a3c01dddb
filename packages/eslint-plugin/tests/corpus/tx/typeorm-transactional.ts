// Shape: `@Transactional()` from typeorm-transactional on a NestJS service method, a nodemailer
// Transporter held in a field, `runOnTransactionCommit` (runs AFTER commit: not inside) and
// `propagation: Propagation.NOT_SUPPORTED` (the method runs outside any transaction).
// Modelled on typeorm-transactional's README and NestJS user/registration services.
import { Injectable } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { Propagation, Transactional, runOnTransactionCommit } from 'typeorm-transactional';
import type { Repository } from 'typeorm';

interface UserEntity {
  id: string;
  email: string;
}

@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: Repository<UserEntity>,
    private readonly mailer: Transporter,
  ) {}

  @Transactional()
  async register(email: string): Promise<UserEntity> {
    const user = await this.users.save({ id: crypto.randomUUID(), email });
    runOnTransactionCommit(() => {
      void this.mailer.sendMail({ to: email, subject: 'Welcome' });
    });
    return user;
  }

  @Transactional({ propagation: Propagation.NOT_SUPPORTED })
  async sendDigest(email: string): Promise<void> {
    await this.mailer.sendMail({ to: email, subject: 'Your weekly digest' });
  }

  @Transactional()
  async changeEmail(userId: string, email: string): Promise<void> {
    await this.users.update({ id: userId }, { email });
    await this.mailer.sendMail({ to: email, subject: 'Your e-mail changed' }); // expect: safecall/no-external-call-in-transaction
  }
}
