// Secrets in the operating system's keychain (Secret Service, macOS Keychain, Windows Credential Store)
// through QtKeychain. Built only when QtKeychain is found.
#pragma once

#include "secretstore.h"

class KeychainSecretStore : public SecretStore
{
public:
    explicit KeychainSecretStore(QString catalogPath);
    QString backendName() const override { return QStringLiteral("keychain"); }
    QString read(const QString &key, QString *error = nullptr) override;
    bool write(const QString &key, const QString &value, QString *error = nullptr) override;
    bool remove(const QString &key, QString *error = nullptr) override;
    static bool isAvailable(QString *why = nullptr);

private:
    QString entryKey(const QString &key) const;
    QString m_scope;
};
