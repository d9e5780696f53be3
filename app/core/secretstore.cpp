#include "secretstore.h"

#include "catalogdialect.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSaveFile>
#include <QStandardPaths>

namespace {
// One process may hold several stores on the same file (GUI + worker threads): serialise access.
QMutex &fileMutex()
{
    static QMutex mutex;
    return mutex;
}
} // namespace

bool SecretStore::writeAll(const QHash<QString, QString> &values, QString *error)
{
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (!write(it.key(), it.value(), error))
            return false;
        QString readError;
        if (read(it.key(), &readError) != it.value()) {
            if (error)
                *error = readError.isEmpty()
                             ? QStringLiteral("A secret written to the %1 store did not read back")
                                   .arg(backendName())
                             : readError;
            return false;
        }
    }
    return true;
}

QString SecretStore::keyFor(qint64 connectionId, const QString &field)
{
    return QStringLiteral("%1/%2").arg(connectionId).arg(field);
}

FileSecretStore::FileSecretStore(QString path)
    : m_path(std::move(path))
{
}

QString FileSecretStore::defaultPathFor(const QString &catalogLocation)
{
    // Beside a SQLite catalog; a shared PostgreSQL catalog's secrets stay on this machine, per catalog.
    if (CatalogLocation::backendOf(catalogLocation) == CatalogBackend::Sqlite)
        return catalogLocation + QStringLiteral(".secrets");
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.local/share");
    return dir + QStringLiteral("/mako-connect/") + CatalogLocation::slug(catalogLocation) +
           QStringLiteral(".secrets");
}

bool FileSecretStore::load(QHash<QString, QString> *values, QString *error) const
{
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("Cannot read the secrets file %1: %2").arg(m_path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("The secrets file %1 is damaged (%2); move it aside, then give each "
                                    "connection its secrets again (`mako-connect-cli connections set-secret "
                                    "NAME`, or Edit in the app): their records are kept")
                         .arg(m_path, parseError.errorString());
        return false;
    }
    const QJsonObject object = doc.object();
    for (auto it = object.begin(); it != object.end(); ++it)
        values->insert(it.key(), it.value().toString());
    return true;
}

bool FileSecretStore::save(const QHash<QString, QString> &values, QString *error) const
{
    QJsonObject object;
    for (auto it = values.begin(); it != values.end(); ++it)
        object.insert(it.key(), it.value());
    // QSaveFile writes a temporary file and renames it: a crash never leaves half a secrets file.
    QDir().mkpath(QFileInfo(m_path).absolutePath()); // a PostgreSQL catalog's secrets folder may be new
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("Cannot write the secrets file %1: %2").arg(m_path, file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        if (error)
            *error = QStringLiteral("Cannot write the secrets file %1: %2").arg(m_path, file.errorString());
        return false;
    }
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QString FileSecretStore::read(const QString &key, QString *error)
{
    QMutexLocker lock(&fileMutex());
    QHash<QString, QString> values;
    if (!load(&values, error))
        return {};
    return values.value(key);
}

bool FileSecretStore::write(const QString &key, const QString &value, QString *error)
{
    QMutexLocker lock(&fileMutex());
    QHash<QString, QString> values;
    if (!load(&values, error))
        return false;
    values.insert(key, value);
    return save(values, error);
}

bool FileSecretStore::remove(const QString &key, QString *error)
{
    QMutexLocker lock(&fileMutex());
    QHash<QString, QString> values;
    if (!load(&values, error))
        return false;
    if (values.remove(key) == 0)
        return true;
    if (values.isEmpty() && QFile::exists(m_path))
        return QFile::remove(m_path) || save(values, error);
    return save(values, error);
}

bool FileSecretStore::writeAll(const QHash<QString, QString> &values, QString *error)
{
    QMutexLocker lock(&fileMutex());
    QHash<QString, QString> merged;
    if (!load(&merged, error))
        return false;
    merged.insert(values);
    return save(merged, error);
}
