import { ApiProperty } from '@nestjs/swagger';

/** A response that only carries a message. */
export class MessageResponse {
  @ApiProperty({ example: 'Done.' })
  message: string;
}

/** Nest's standard error body. */
export class ErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'OTP expired or invalid.',
  })
  message: string | string[];
}
