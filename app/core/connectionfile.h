// Connections as a file a team keeps in version control: each connection's connector and config, with every
// secret field replaced by a reference ("env:STRIPE_PROD_API_KEY" or "keychain"), never the secret itself.
#pragma once

#include "catalog.h"

class SyncEngine;

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QProcessEnvironment>
#include <QString>

#include <functional>

namespace ConnectionFile {

enum class SecretReference {
    Environment, // "env:NAME": the importing machine's environment holds it
    Keychain,    // "keychain": the importing catalog's own store already holds it (or it is asked for)
};

// STRIPE_PROD_API_KEY for the api_key of "Stripe prod".
QString environmentName(const QString &connection, const QString &field);
// {"format": "mako-connect-connections", "version": 1, "connections": [...]}. Only the secrets a connection
// has stored in `engine`'s store get a reference (an optional one left empty gets none).
QJsonObject write(const QList<ConnectionInfo> &connections, SecretReference reference,
                  const SyncEngine &engine);

struct Entry
{
    QString name;
    QString connectorId;
    QJsonObject config; // secret fields resolved, or left out where none was found
    struct Missing
    {
        QString field;
        QString why;    // "the environment variable STRIPE_PROD_API_KEY is not set"
        QString remedy; // "set it and import again"
    };
    QList<Missing> missing; // secret fields whose reference resolved to nothing
    QStringList keepStored; // secret fields referring to the store ("keychain")
};
// Reads a file written by write() (or by hand), resolving "env:NAME" references from `environment`. An
// error names what is wrong and where.
QList<Entry> read(const QByteArray &json, const QProcessEnvironment &environment, QString *error);

struct ImportResult
{
    bool ok = false;
    bool badFile = false; // the file's own content is wrong (not the environment or the catalog)
    int added = 0;
    int updated = 0;
    QString error; // ends saying what was imported
};
// Returns a secret that a reference did not give ("" gives up); `why` says what was looked for.
using AskSecret = std::function<QString(const QString &connection, const QString &field, const QString &why)>;
// Adds the entries `catalog` lacks and updates those it has, through `engine`. All or nothing: every entry is
// checked and every secret found (asked for when `ask` is set) before the first connection is saved.
ImportResult importEntries(SyncEngine &engine, Catalog &catalog, QList<Entry> entries, const AskSecret &ask);

} // namespace ConnectionFile
