import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import type { SessionListResponse, SessionResponse } from './dto/session.response.js';
import type { SessionPage } from './dto/session-page.query.js';
import { encodeCursor } from './session-cursor.js';
import type { Session } from './session.entity.js';
import { SessionRegistry } from './session.registry.js';

/** `GET sessions/`: the caller's live sessions, newest first, a page at a time. */
@Injectable()
export class ListSessionsUseCase {
  constructor(private readonly registry: SessionRegistry) {}

  async execute(caller: AuthenticatedUser, page: SessionPage): Promise<SessionListResponse> {
    const owner = await this.registry.ownerOf(caller.id);
    if (!owner) return { sessions: [], next_cursor: null };
    const rows = await this.registry.page(owner, page.limit, page.after);
    const shown = rows.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return {
      sessions: shown.map((row) => toResponse(row, caller.family)),
      next_cursor: rows.length > page.limit ? encodeCursor(last) : null,
    };
  }
}

function toResponse(row: Session, currentFamily: string): SessionResponse {
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt.toISOString(),
    ip: row.ip,
    user_agent: row.userAgent,
    label: row.label,
    current: row.id === currentFamily,
  };
}
