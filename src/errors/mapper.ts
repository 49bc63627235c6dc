import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorKey, FoyerError, isFoyerError } from './catalogue.js';

/** Fastify's own error codes, mapped onto the catalogue. */
const fastifyCodes: Record<string, ErrorKey> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payloadTooLarge',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalidRequestBody',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalidRequestBody',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'badRequest',
  FST_ERR_VALIDATION: 'invalidRequestBody',
  FST_ERR_BAD_URL: 'badRequest',
  FST_ERR_MAX_PARAM_LENGTH: 'badRequest',
};

export function toFoyerError(error: FastifyError | Error): FoyerError {
  if (isFoyerError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation
      .map((issue) => {
        const where = issue.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
        return where ? `${where}: ${issue.message}` : issue.message;
      })
      .join('; ');
    const part = error.validationContext ?? 'body';
    return new FoyerError('invalidRequestBody', `Invalid ${part}: ${details}`);
  }
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && code in fastifyCodes) {
    return new FoyerError(fastifyCodes[code]!, error.message);
  }
  if (error instanceof SyntaxError && 'statusCode' in error && error.statusCode === 400) {
    return new FoyerError('invalidRequestBody', `Malformed JSON: ${error.message}`);
  }
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 413) return new FoyerError('payloadTooLarge', 'The request body is too large.');
  if (status === 415) return new FoyerError('unsupportedMediaType', error.message);
  if (status >= 400 && status < 500) return new FoyerError('badRequest', error.message);
  return new FoyerError('internal', 'An internal error occurred. Quote the request-id when reporting it.', {
    cause: error,
  });
}

/**
 * Error messages may quote the request (an invalid value, an unknown path): a 700 KB value must not become a
 * 700 KB response or log line. The head is kept; the rest is counted.
 */
export function capMessage(message: string, max: number): string {
  return message.length <= max
    ? message
    : `${message.slice(0, max)}… (${message.length - max} more characters)`;
}

const RESPONSE_MESSAGE_MAX = 1_000;
const LOG_MESSAGE_MAX = 300;

/** The Graph error envelope (https://learn.microsoft.com/graph/errors#json-representation). */
export function graphErrorEnvelope(error: FoyerError, requestId: string, clientRequestId: string) {
  return {
    error: {
      code: error.code,
      message: capMessage(error.message, RESPONSE_MESSAGE_MAX),
      innerError: {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
        'request-id': requestId,
        'client-request-id': clientRequestId,
      },
    },
  };
}

export function graphErrorBody(error: FoyerError, request: FastifyRequest) {
  const clientRequestId = request.headers['client-request-id'];
  return graphErrorEnvelope(
    error,
    request.id,
    typeof clientRequestId === 'string' ? clientRequestId : request.id,
  );
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: FoyerError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.status(error.status).type('application/json').send(graphErrorBody(error, request));
}

/**
 * Errors Fastify's router raises before any hook has run (a malformed percent-encoding, an over-long path
 * parameter): Fastify's `frameworkErrors` option. Same envelope, plus the headers the onRequest hook sets.
 */
export function frameworkErrors(raw: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('request-id', request.id);
  const clientRequestId = request.headers['client-request-id'];
  if (typeof clientRequestId === 'string') reply.header('client-request-id', clientRequestId);
  sendError(reply, request, toFoyerError(raw));
}

/** The one place errors become responses. */
export function registerErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = toFoyerError(raw);
    if (error.status >= 500) request.log.error({ err: error.cause ?? raw }, 'request failed');
    else
      request.log.info(
        { code: error.code, status: error.status },
        capMessage(error.message, LOG_MESSAGE_MAX),
      );
    return sendError(reply, request, error);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new FoyerError(
      'routeNotFound',
      `Resource not found for the segment '${request.url.split('?')[0]}'.`,
    );
    return sendError(reply, request, error);
  });
}
