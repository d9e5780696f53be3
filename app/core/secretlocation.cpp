#include "secretlocation.h"

#include "catalog.h"
#include "connectorregistry.h"
#ifdef MC_HAVE_KEYCHAIN
#include "keychainsecretstore.h"
#endif

#include <QDir>
#include <QFile>

namespace {
const QString kSettingKey = QStringLiteral("secret_store");

QString placeName(SecretBackend backend, const QString &catalogPath)
{
    return backend == SecretBackend::Keychain
               ? QStringLiteral("the system keychain")
               : QStringLiteral("the file %1")
                     .arg(QDir::toNativeSeparators(FileSecretStore::defaultPathFor(catalogPath)));
}

// Every key a catalog's connections can have a secret under: their connectors' secret fields.
QStringList secretKeys(Catalog &catalog)
{
    QStringList keys;
    for (const ConnectionInfo &connection : catalog.connections()) {
        const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
        if (!metadata)
            continue;
        for (const QString &field : metadata->secretFieldNames())
            keys << SecretStore::keyFor(connection.id, field);
    }
    return keys;
}

OpenedSecretStore opened(SecretBackend backend, const QString &catalogPath)
{
    OpenedSecretStore result;
    result.backend = backend;
    result.store = createSecretStore(backend, catalogPath, &result.error);
    return result;
}

OpenedSecretStore failed(QString error)
{
    OpenedSecretStore result;
    result.error = std::move(error);
    return result;
}

// The catalog's recorded store, unless the caller asked for the other one.
OpenedSecretStore openRecorded(SecretBackend recorded, SecretBackend wanted, const QString &catalogPath)
{
    if (wanted != SecretBackend::Automatic && wanted != recorded)
        return failed(QStringLiteral("This catalog keeps its secrets in %1. To keep them in %2 instead, move "
                                     "them: `mako-connect-cli secrets migrate --to %3`, or Settings in the "
                                     "app")
                          .arg(placeName(recorded, catalogPath), placeName(wanted, catalogPath),
                               secretBackendName(wanted)));
    QString why;
    if (recorded == SecretBackend::Keychain && !keychainAnswers(&why))
        return failed(
            QStringLiteral("This catalog keeps its secrets in the system keychain, and none answers "
                           "here (%1). Unlock the desktop's keyring, or run where one is unlocked; "
                           "to keep the secrets in a file instead, move them from there with "
                           "`mako-connect-cli secrets migrate --to file`")
                .arg(why));
    return opened(recorded, catalogPath);
}
} // namespace

QString secretBackendName(SecretBackend backend)
{
    switch (backend) {
    case SecretBackend::Automatic:
        return QStringLiteral("automatic");
    case SecretBackend::File:
        return QStringLiteral("file");
    case SecretBackend::Keychain:
        return QStringLiteral("keychain");
    }
    return {};
}

std::optional<SecretBackend> secretBackendFromName(const QString &name)
{
    for (SecretBackend backend : {SecretBackend::Automatic, SecretBackend::File, SecretBackend::Keychain}) {
        if (name == secretBackendName(backend))
            return backend;
    }
    return std::nullopt;
}

bool keychainAnswers(QString *why)
{
#ifdef MC_HAVE_KEYCHAIN
    return KeychainSecretStore::isAvailable(why);
#else
    if (why)
        *why = QStringLiteral("this build of Mako Connect has no keychain support");
    return false;
#endif
}

std::unique_ptr<SecretStore> createSecretStore(SecretBackend backend, const QString &catalogPath,
                                               QString *error)
{
    if (backend == SecretBackend::File)
        return std::make_unique<FileSecretStore>(FileSecretStore::defaultPathFor(catalogPath));
    QString why;
    if (backend == SecretBackend::Keychain && keychainAnswers(&why)) {
#ifdef MC_HAVE_KEYCHAIN
        return std::make_unique<KeychainSecretStore>(catalogPath);
#endif
    }
    if (error)
        *error = backend == SecretBackend::Keychain
                     ? QStringLiteral("No system keychain answers here (%1)").arg(why)
                     : QStringLiteral("No secret store was chosen");
    return nullptr;
}

OpenedSecretStore openSecretStore(Catalog &catalog, SecretBackend wanted, FileFallback fallback)
{
    const QString path = catalog.location();
    const auto recorded = secretBackendFromName(catalog.setting(kSettingKey));
    if (recorded && *recorded != SecretBackend::Automatic)
        return openRecorded(*recorded, wanted, path);

    // Nothing recorded: a new catalog, or one from before the choice was kept, whose file store stays.
    SecretBackend choice = wanted;
    QString why;
    if (QFile::exists(FileSecretStore::defaultPathFor(path)))
        choice = SecretBackend::File;
    else if (wanted != SecretBackend::File && keychainAnswers(&why))
        choice = SecretBackend::Keychain;
    else if (wanted == SecretBackend::Keychain)
        return failed(QStringLiteral("No system keychain answers here (%1). Unlock the desktop's keyring, or "
                                     "keep the secrets in a file beside the catalog (--secrets file)")
                          .arg(why));
    else if (wanted == SecretBackend::Automatic && fallback == FileFallback::AskFirst) {
        OpenedSecretStore ask = failed(QStringLiteral("No system keychain answers here (%1).").arg(why));
        ask.needsFileConsent = true;
        return ask;
    } else
        choice = SecretBackend::File;

    OpenedSecretStore result = opened(choice, path);
    if (result.store && !catalog.setSetting(kSettingKey, secretBackendName(choice)))
        result.notice = QStringLiteral("The catalog could not record where its secrets are (%1)")
                            .arg(catalog.errorString());
    else if (result.store && wanted == SecretBackend::Automatic && !why.isEmpty())
        result.notice = QStringLiteral("No system keychain answers here (%1), so this catalog keeps its "
                                       "secrets in %2, readable only by you")
                            .arg(why, placeName(choice, path));
    return result;
}

SecretMove moveSecrets(Catalog &catalog, SecretBackend target)
{
    SecretMove result;
    const SecretBackend source =
        target == SecretBackend::File ? SecretBackend::Keychain : SecretBackend::File;
    std::unique_ptr<SecretStore> to = createSecretStore(target, catalog.location(), &result.error);
    if (!to) {
        result.error +=
            QStringLiteral("; nothing was moved. Unlock the desktop's keyring, then move them again");
        return result;
    }
    std::unique_ptr<SecretStore> from = createSecretStore(source, catalog.location(), &result.error);
    if (!from) {
        // Nothing can be read from an absent keychain; only a catalog already on the target can go on.
        if (catalog.setting(kSettingKey) != secretBackendName(target))
            return result;
        result.error.clear();
        result.summary =
            QStringLiteral("The secrets are already in %1").arg(placeName(target, catalog.location()));
        return result;
    }
    return moveSecrets(catalog, *from, *to, target);
}

SecretMove moveSecrets(Catalog &catalog, SecretStore &from, SecretStore &to, SecretBackend target)
{
    SecretMove result;
    const QString path = catalog.location();
    const SecretBackend source =
        target == SecretBackend::File ? SecretBackend::Keychain : SecretBackend::File;
    const QStringList keys = secretKeys(catalog);
    const bool alreadyMoved = catalog.setting(kSettingKey) == secretBackendName(target);
    if (!alreadyMoved) {
        QHash<QString, QString> values;
        for (const QString &key : keys) {
            QString readError;
            const QString value = from.read(key, &readError);
            if (!readError.isEmpty()) {
                result.error = QStringLiteral("%1; nothing was moved").arg(readError);
                return result;
            }
            if (!value.isEmpty())
                values.insert(key, value);
        }
        QString writeError;
        if (!to.writeAll(values, &writeError)) {
            result.error = QStringLiteral("%1; nothing was moved, the secrets stay in %2")
                               .arg(writeError, placeName(source, path));
            return result;
        }
        // The commit point: from here on the catalog reads its secrets from the target.
        if (!catalog.setSetting(kSettingKey, secretBackendName(target))) {
            result.error =
                QStringLiteral("The catalog could not record the move (%1); the secrets stay in %2")
                    .arg(catalog.errorString(), placeName(source, path));
            return result;
        }
        result.moved = int(values.size());
    }
    // Old copies go last; what cannot be removed now is removed by the next move to the same target.
    QStringList leftovers;
    for (const QString &key : keys) {
        QString removeError;
        if (!from.remove(key, &removeError))
            leftovers << removeError;
    }
    result.summary = alreadyMoved
                         ? QStringLiteral("The secrets are already in %1").arg(placeName(target, path))
                         : QStringLiteral("Moved %1 to %2")
                               .arg(result.moved == 1 ? QStringLiteral("1 secret")
                                                      : QStringLiteral("%1 secrets").arg(result.moved),
                                    placeName(target, path));
    if (!leftovers.isEmpty())
        result.summary += QStringLiteral("; the old copies in %1 could not all be removed (%2)")
                              .arg(placeName(source, path), leftovers.first());
    return result;
}
