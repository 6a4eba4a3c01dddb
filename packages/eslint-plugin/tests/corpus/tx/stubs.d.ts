// Just enough of the frameworks the corpus imports that are not installed here. The rule matches
// their decorators and methods by name; the types only have to let the checker follow the calls.

declare module 'rxjs' {
  export interface Observable<T> {
    subscribe(next: (value: T) => void): { unsubscribe(): void };
    pipe(...operators: unknown[]): Observable<T>;
  }
  export function firstValueFrom<T>(source: Observable<T>): Promise<T>;
}

declare module '@nestjs/common' {
  export function Injectable(): ClassDecorator;
  export function Inject(token: unknown): ParameterDecorator;
  export function Controller(path?: string): ClassDecorator;
  export function Post(path?: string): MethodDecorator;
  export function Get(path?: string): MethodDecorator;
  export function Body(): ParameterDecorator;
  export function Req(): ParameterDecorator;
  export function UseInterceptors(...interceptors: unknown[]): MethodDecorator & ClassDecorator;
  export class Logger {
    constructor(context?: string);
    log(message: string): void;
    error(message: string, error?: unknown): void;
  }
}

declare module '@nestjs/axios' {
  import type { Observable } from 'rxjs';
  import type { AxiosInstance, AxiosResponse } from 'axios';
  export class HttpService {
    readonly axiosRef: AxiosInstance;
    get<T = unknown>(url: string): Observable<AxiosResponse<T>>;
    post<T = unknown>(url: string, data?: unknown): Observable<AxiosResponse<T>>;
  }
}

declare module '@golevelup/nestjs-stripe' {
  export function InjectStripeClient(): ParameterDecorator;
}

declare module 'typeorm-transactional' {
  export enum Propagation {
    REQUIRED = 'REQUIRED',
    NOT_SUPPORTED = 'NOT_SUPPORTED',
    NEVER = 'NEVER',
  }
  export function Transactional(options?: { propagation?: Propagation }): MethodDecorator;
  export function runOnTransactionCommit(callback: () => void): void;
  export function runOnTransactionRollback(callback: (error: Error) => void): void;
}

declare module '@nestjs-cls/transactional' {
  export function Transactional(): MethodDecorator;
  export class TransactionHost<T = unknown> {
    readonly tx: T;
    withTransaction<R>(fn: () => Promise<R>): Promise<R>;
  }
}

declare module '@mikro-orm/core' {
  export function Transactional(): MethodDecorator;
  export class EntityManager {
    transactional<T>(cb: (em: EntityManager) => Promise<T>): Promise<T>;
    begin(): Promise<void>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    persist(entity: object): EntityManager;
    flush(): Promise<void>;
    findOneOrFail<T>(entity: new () => T, where: object): Promise<T>;
  }
}

declare module 'mongoose' {
  export interface ClientSession {
    withTransaction<T>(fn: () => Promise<T>): Promise<T>;
    startTransaction(): void;
    commitTransaction(): Promise<void>;
    abortTransaction(): Promise<void>;
    endSession(): Promise<void>;
  }
  export interface Model<T> {
    create(docs: T[], options: { session: ClientSession }): Promise<T[]>;
    updateOne(filter: object, update: object, options: { session: ClientSession }): Promise<unknown>;
  }
  export function startSession(): Promise<ClientSession>;
  export function model<T>(name: string): Model<T>;
}

declare module '@medusajs/framework/utils' {
  export function InjectTransactionManager(managerProperty?: string): MethodDecorator;
  export function InjectManager(managerProperty?: string): MethodDecorator;
  export function MedusaContext(): ParameterDecorator;
}

declare module '@vendure/core' {
  export class RequestContext {}
  export function Transaction(): MethodDecorator;
  export function Ctx(): ParameterDecorator;
  export class TransactionalConnection {
    withTransaction<T>(ctx: RequestContext, work: (ctx: RequestContext) => Promise<T>): Promise<T>;
    getRepository(ctx: RequestContext, entity: unknown): { save(entity: object): Promise<object> };
  }
}

declare module '@sentry/node' {
  export interface Span {
    finish(): void;
  }
  export function startTransaction(context: { name: string; op?: string }): Span;
}

declare module 'elastic-apm-node' {
  interface Agent {
    startTransaction(name: string, type?: string): { end(): void };
  }
  const agent: Agent;
  export default agent;
}
