import { FullNameField } from '../../common/dto/full-name-field.decorator.js';

/** Only `full_name` can change; any other field (email, is_active, id…) is ignored. */
export class UpdateProfileDto {
  @FullNameField('Ada King')
  full_name: string;
}
