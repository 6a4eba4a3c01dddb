// Shape: NestJS request-scoped transactions: a TransactionInterceptor begins a QueryRunner
// transaction before the handler and commits after it, so everything the handler does is inside.
// Modelled on the TransactionInterceptor + `@UseInterceptors()` controllers common in NestJS + TypeORM projects.
import { Body, Controller, Get, Post, Req, UseInterceptors } from '@nestjs/common';
import sgMail from '@sendgrid/mail';
import type { QueryRunner } from 'typeorm';

interface RequestWithQueryRunner {
  queryRunner: QueryRunner;
}

class TransactionInterceptor {}
class RequestLoggingInterceptor {}

@Controller('invitations')
export class InvitationController {
  @Post()
  @UseInterceptors(TransactionInterceptor)
  async invite(@Body() body: { email: string }, @Req() request: RequestWithQueryRunner): Promise<void> {
    await request.queryRunner.manager.insert('invitations', { email: body.email });
    await sgMail.send({ to: body.email, from: 'team@example.com', subject: 'Join us', text: 'Welcome' }); // expect: safecall/no-external-call-in-transaction
  }

  @Get('resend')
  @UseInterceptors(RequestLoggingInterceptor)
  async resend(@Body() body: { email: string }): Promise<void> {
    await sgMail.send({ to: body.email, from: 'team@example.com', subject: 'Reminder', text: 'Join us' });
  }
}
