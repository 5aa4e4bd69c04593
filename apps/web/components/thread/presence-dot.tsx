export function PresenceDot({ online, name }: { online: boolean; name: string }) {
  return (
    <span
      className={online ? 'presence-dot online' : 'presence-dot'}
      role="img"
      aria-label={`${name} is ${online ? 'online' : 'offline'}`}
      data-testid="presence-dot"
      data-online={online}
    />
  );
}
