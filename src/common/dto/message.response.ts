import { ApiProperty } from '@nestjs/swagger';

/** A response that only carries a message. */
export class MessageResponse {
  @ApiProperty({ example: 'Done.' })
  message: string;
}
