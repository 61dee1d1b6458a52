-- sipoutcome: carrier profiles in a database table (modparam "db_url",
-- "db_table", default table name sipoutcome). One row is one rule of a
-- profile file (data/profiles/rfc.profile describes the keys); NULL or ''
-- leaves a key out. Rules of a profile apply in id order (a file's order).
-- Portable SQL: PostgreSQL (db_postgres), SQLite (db_sqlite), MySQL
-- (db_mysql). For db_text, data/sql/dbtext/sipoutcome is the table file.
CREATE TABLE sipoutcome (
    id          INTEGER PRIMARY KEY,       -- names the row in every error
    profile     VARCHAR(31) NOT NULL,      -- letters, digits, _ - .
    inherits    VARCHAR(31) DEFAULT NULL,  -- parent profile; NULL: rfc
    description VARCHAR(255) DEFAULT NULL, -- one line, same on every row that sets it
    -- match keys (every key given must hold)
    code        INTEGER DEFAULT NULL,      -- 100..699
    class       VARCHAR(3) DEFAULT NULL,   -- 1xx..6xx
    q850        INTEGER DEFAULT NULL,      -- 0..127, a Reason header's cause
    ringing     INTEGER DEFAULT NULL,      -- 1: an 18x came before the final; 0: none
    phrase      VARCHAR(128) DEFAULT NULL, -- case-insensitive substring of the phrase
    -- set keys
    tag         VARCHAR(16) DEFAULT NULL,  -- COMPLETED BUSY NO_ANSWER CANCELED FAILED
    category    VARCHAR(32) DEFAULT NULL,  -- busy, no_answer, billing, ... (rfc.profile)
    retry       VARCHAR(16) DEFAULT NULL,  -- no alternate later
    blame       VARCHAR(16) DEFAULT NULL,  -- caller callee network proxy unknown
    hint        VARCHAR(240) DEFAULT NULL, -- one sentence for the operator
    rewrite     VARCHAR(128) DEFAULT NULL  -- phrase for reason_mode=rewrite
);

-- The README's example carrier, as rows:
-- INSERT INTO sipoutcome (id, profile, description, code, phrase, tag, category, retry, blame, hint)
--   VALUES (1, 'mycarrier', 'Our trunk to Example Telecom', 603, 'maxpeak', 'FAILED', 'billing', 'later', 'caller',
--           'The trunk''s spend cap was hit; raise it or wait.');
-- INSERT INTO sipoutcome (id, profile, code, ringing, tag, category, retry, blame)
--   VALUES (2, 'mycarrier', 480, 0, 'FAILED', 'congestion', 'alternate', 'network');
