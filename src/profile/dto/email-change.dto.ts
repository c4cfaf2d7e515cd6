import { ApiProperty } from '@nestjs/swagger';
import { EmailField } from '../../common/dto/email-field.decorator.js';
import { OtpField } from '../../common/dto/otp-field.decorator.js';
import { PasswordField } from '../../common/dto/password-field.decorator.js';

/** `POST me/email/`: the address to move to, and the current password. */
export class RequestEmailChangeDto {
  @EmailField('ada.king@example.com')
  new_email: string;

  @PasswordField()
  password: string;
}

/** `POST me/email/confirm/`: the code sent to the new address. */
export class ConfirmEmailChangeDto {
  @OtpField()
  otp: string;
}

export class EmailChangeStartedResponse {
  @ApiProperty({ example: 'OTP sent to your new email.' })
  message: string;

  @ApiProperty({ type: 'integer', example: 600, description: 'Seconds until the code expires.' })
  expires_in: number;
}
