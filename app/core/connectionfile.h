// Connections as a file a team keeps in version control: each connection's connector and config, with every
// secret field replaced by a reference ("env:STRIPE_PROD_API_KEY" or "keychain"), never the secret itself.
#pragma once

#include "catalog.h"

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
// {"format": "mako-connect-connections", "version": 1, "connections": [...]}. `secretFields` says which
// secret fields each connection has stored (an optional one left empty gets no reference).
QJsonObject write(const QList<ConnectionInfo> &connections, SecretReference reference,
                  const std::function<QStringList(const ConnectionInfo &)> &secretFields);

struct Entry
{
    QString name;
    QString connectorId;
    QJsonObject config;                     // secret fields resolved, or left out where none was found
    QList<QPair<QString, QString>> missing; // secret fields whose reference resolved to nothing, and why
    QStringList keepStored;                 // secret fields referring to the store ("keychain")
};
// Reads a file written by write() (or by hand), resolving "env:NAME" references from `environment`. An
// error names what is wrong and where.
QList<Entry> read(const QByteArray &json, const QProcessEnvironment &environment, QString *error);

} // namespace ConnectionFile
