import { ApiProperty } from '@nestjs/swagger';

export class OtpSentResponse {
  @ApiProperty({ example: 'OTP sent to your email.' })
  message: string;

  @ApiProperty({ type: 'integer', example: 600, description: 'Seconds until the code expires.' })
  expires_in: number;
}

export class RegistrationStartedResponse extends OtpSentResponse {
  @ApiProperty({
    example: '2f1c6b1e-7d4a-4c1e-9b0a-3e5f8d2c7a14',
    format: 'uuid',
    description:
      'Names this registration: send it with confirm-otp so that only its code confirms, and ' +
      'with resend-otp to get a new code for it.',
  })
  registration_id: string;
}

export class RegisteredUser {
  @ApiProperty({ example: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e', format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  full_name: string;
}

export class UserRegisteredResponse {
  @ApiProperty({ example: 'User registered successfully.' })
  message: string;

  @ApiProperty({ type: RegisteredUser })
  user: RegisteredUser;
}
