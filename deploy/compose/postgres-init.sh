#!/bin/sh
# Runs once, when the PostgreSQL volume is new: a role and database for Kiln, and a role for
# Temporal (auto-setup creates its two databases).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE kiln LOGIN PASSWORD '${KILN_DB_PASSWORD}';
CREATE DATABASE kiln OWNER kiln;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${TEMPORAL_DB_PASSWORD}';
SQL
