/** Fixed messages for bodies that cannot be read; a parser's own text may quote the body. */
export const BodyErrorMessages = {
  malformedJson: 'Malformed JSON in request body.',
  tooLarge: 'Request body is too large.',
  notJson: 'Request body must be JSON (Content-Type: application/json).',
} as const;

interface ParserError {
  code?: string;
  type?: string;
  statusCode?: number;
}

/**
 * The fixed message for an error raised while reading the body, by Fastify (`FST_ERR_CTP_*`)
 * or by Express's body-parser (`entity.*`), or `undefined` for any other error. Both adapters
 * hand such errors to the exception filters as an HttpException whose `cause` is the original.
 */
export function bodyErrorMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { code, type, statusCode } = cause as ParserError;
  if (statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE' || type === 'entity.too.large') {
    return BodyErrorMessages.tooLarge;
  }
  if (
    statusCode === 415 ||
    code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
    type === 'encoding.unsupported'
  ) {
    return BodyErrorMessages.notJson;
  }
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
    type === 'entity.parse.failed' ||
    (cause instanceof SyntaxError && statusCode === 400)
  ) {
    return BodyErrorMessages.malformedJson;
  }
  return undefined;
}
