-- Wake the outbox relay as soon as a transaction that wrote outbox rows commits
-- (NOTIFY is delivered at commit). One notification per statement is enough.
CREATE FUNCTION homeward_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('homeward_outbox', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_messages_notify
AFTER INSERT ON "outbox_messages"
FOR EACH STATEMENT EXECUTE FUNCTION homeward_outbox_notify();
