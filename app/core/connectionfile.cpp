#include "connectionfile.h"

#include "connectorregistry.h"
#include "syncengine.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace ConnectionFile {

namespace {
const char kFormat[] = "mako-connect-connections";
const QLatin1String kEnvPrefix("env:");
const QLatin1String kKeychain("keychain");
} // namespace

QString environmentName(const QString &connection, const QString &field)
{
    QString name;
    for (const QChar c : connection + QLatin1Char('_') + field) {
        const bool plain = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                           (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
        if (plain)
            name += c.toUpper();
        else if (!name.endsWith(QLatin1Char('_')))
            name += QLatin1Char('_');
    }
    while (name.startsWith(QLatin1Char('_')))
        name.remove(0, 1);
    if (name.isEmpty() || name.front().isDigit())
        name.prepend(QStringLiteral("MAKO_"));
    return name;
}

QJsonObject write(const QList<ConnectionInfo> &connections, SecretReference reference,
                  const SyncEngine &engine)
{
    QJsonArray list;
    for (const ConnectionInfo &connection : connections) {
        QJsonObject config = connection.config; // the catalog never holds secrets
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
        const QJsonObject stored = engine.resolvedConfig(connection);
        for (const QString &field : metadata ? metadata->secretFieldNames() : QStringList()) {
            if (!stored.value(field).toString().isEmpty())
                config.insert(field, reference == SecretReference::Keychain
                                         ? QString(kKeychain)
                                         : kEnvPrefix + environmentName(connection.name, field));
        }
        list.append(QJsonObject{{QStringLiteral("name"), connection.name},
                                {QStringLiteral("connector"), connection.connectorId},
                                {QStringLiteral("config"), config}});
    }
    return {{QStringLiteral("format"), QLatin1String(kFormat)},
            {QStringLiteral("version"), 1},
            {QStringLiteral("connections"), list}};
}

QList<Entry> read(const QByteArray &json, const QProcessEnvironment &environment, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    const QJsonObject root = doc.object();
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("the file is not JSON (%1 at character %2)")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return {};
    }
    if (root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat) ||
        !root.value(QStringLiteral("connections")).isArray()) {
        *error =
            QStringLiteral("the file is not a list of connections (write one with `connections export`)");
        return {};
    }
    if (root.value(QStringLiteral("version")).toInt() > 1) {
        *error = QStringLiteral("the file was written by a newer Mako Connect (version %1); update this one")
                     .arg(root.value(QStringLiteral("version")).toInt());
        return {};
    }
    QList<Entry> entries;
    const QJsonArray list = root.value(QStringLiteral("connections")).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject item = list.at(i).toObject();
        Entry entry;
        entry.name = item.value(QStringLiteral("name")).toString().trimmed();
        entry.connectorId = item.value(QStringLiteral("connector")).toString();
        entry.config = item.value(QStringLiteral("config")).toObject();
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(entry.connectorId);
        if (entry.name.isEmpty() || !metadata) {
            *error =
                entry.name.isEmpty()
                    ? QStringLiteral("connection %1 of the file has no name").arg(i + 1)
                    : QStringLiteral("\"%1\" uses the connector \"%2\", which this Mako Connect does not "
                                     "have; run `mako-connect-cli connectors` to list them")
                          .arg(entry.name, entry.connectorId);
            return {};
        }
        for (const QString &field : metadata->secretFieldNames()) {
            const QString reference = entry.config.value(field).toString();
            if (reference.startsWith(kEnvPrefix)) {
                const QString variable = reference.mid(kEnvPrefix.size());
                const QString value = environment.value(variable);
                if (value.isEmpty()) {
                    entry.config.remove(field);
                    entry.missing.append(
                        {field, QStringLiteral("the environment variable %1 is not set").arg(variable),
                         QStringLiteral("set it and import again")});
                } else {
                    entry.config.insert(field, value);
                }
            } else if (reference == kKeychain) {
                entry.config.remove(field);
                entry.keepStored.append(field);
            }
            // Anything else is the secret itself, written into the file by hand.
        }
        entries.append(entry);
    }
    return entries;
}

ImportResult importEntries(SyncEngine &engine, Catalog &catalog, QList<Entry> entries, const AskSecret &ask)
{
    ImportResult result;
    const auto refuse = [&](const QString &why, bool badFile) {
        result.error = why + QStringLiteral(" (nothing was imported)");
        result.badFile = badFile;
        return result;
    };
    QList<qint64> ids;
    for (Entry &entry : entries) {
        const auto existing = catalog.connection(entry.name);
        if (existing && existing->connectorId != entry.connectorId)
            return refuse(
                QStringLiteral("\"%1\" is a %2 connection here and a %3 one in the file; rename one of "
                               "them and import again")
                    .arg(entry.name, existing->connectorId, entry.connectorId),
                true);
        QList<Entry::Missing> missing = entry.missing;
        if (!existing) {
            for (const QString &field : std::as_const(entry.keepStored))
                missing.append(
                    {field,
                     QStringLiteral("the file says \"keychain\", but this catalog has no such connection "
                                    "to keep it from"),
                     QStringLiteral("write an env: reference there, or import where you can type it")});
            entry.keepStored.clear();
        }
        for (const Entry::Missing &gap : std::as_const(missing)) {
            const QString value = ask ? ask(entry.name, gap.field, gap.why) : QString();
            if (value.isEmpty())
                return refuse(QStringLiteral("no %1 for \"%2\": %3; %4")
                                  .arg(gap.field, entry.name, gap.why, gap.remedy),
                              false);
            entry.config.insert(gap.field, value);
        }
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(entry.connectorId);
        QJsonObject checked = entry.config;
        for (const QString &field : std::as_const(entry.keepStored))
            checked.insert(field, QStringLiteral("stored")); // kept from the catalog's store on saving
        const QStringList problems = validateConfigAgainstSpec(metadata->config, checked);
        if (!problems.isEmpty())
            return refuse(QStringLiteral("\"%1\": %2").arg(entry.name, problems.join(QStringLiteral("; "))),
                          true);
        ids.append(existing ? existing->id : 0);
    }
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const Entry &entry = entries.at(i);
        QString error;
        if (engine.saveConnection(ids.at(i), entry.name, entry.connectorId, entry.config, &error) == 0) {
            result.error = QStringLiteral("%1 (%2 of the %3 connections were imported before it)")
                               .arg(error)
                               .arg(i)
                               .arg(entries.size());
            return result;
        }
        ++(ids.at(i) == 0 ? result.added : result.updated);
    }
    result.ok = true;
    return result;
}

} // namespace ConnectionFile
