#include "connectionfile.h"

#include "connectorregistry.h"

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
                  const std::function<QStringList(const ConnectionInfo &)> &secretFields)
{
    QJsonArray list;
    for (const ConnectionInfo &connection : connections) {
        QJsonObject config = connection.config; // the catalog never holds secrets
        for (const QString &field : secretFields(connection))
            config.insert(field, reference == SecretReference::Keychain
                                     ? QString(kKeychain)
                                     : kEnvPrefix + environmentName(connection.name, field));
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
                        {field,
                         QStringLiteral("the environment variable %1 is not set; set it and import again")
                             .arg(variable)});
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

} // namespace ConnectionFile
