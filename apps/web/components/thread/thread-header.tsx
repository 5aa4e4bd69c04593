import type { ConversationHeaderResponse, UserSummary } from '@chat/protocol';
import { PresenceDot } from './presence-dot';

function Person({ person, online }: { person: UserSummary; online: boolean }) {
  return (
    <span className="person">
      <PresenceDot online={online} name={person.name} />
      <span>{person.name}</span>
      <span className="muted">@{person.handle}</span>
    </span>
  );
}

/** Who is on this booking: creator, manager and every participant, with presence. */
export function ThreadHeader({
  header,
  presence,
}: {
  header: ConversationHeaderResponse;
  presence: Record<string, boolean>;
}) {
  return (
    <aside
      className="thread-header"
      aria-label="People on this booking"
      data-testid="thread-header"
    >
      <dl>
        <div>
          <dt>Creator</dt>
          <dd>
            <Person person={header.creator} online={presence[header.creator.id] ?? false} />
          </dd>
        </div>
        <div>
          <dt>Manager</dt>
          <dd>
            {header.manager ? (
              <Person person={header.manager} online={presence[header.manager.id] ?? false} />
            ) : (
              <span className="muted">None yet</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Participants</dt>
          <dd>
            <ul className="people">
              {header.participants.map((person) => (
                <li key={person.id}>
                  <Person person={person} online={presence[person.id] ?? false} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>
    </aside>
  );
}
