// Where connection secrets live: never in the catalog (I6). Keys are "<connection id>/<field name>".
#pragma once

#include <QHash>
#include <QString>

class SecretStore
{
public:
    virtual ~SecretStore() = default;
    virtual QString backendName() const = 0;
    // Empty string when absent. `error` (optional) says why a read or write failed.
    virtual QString read(const QString &key, QString *error = nullptr) = 0;
    virtual bool write(const QString &key, const QString &value, QString *error = nullptr) = 0;
    virtual bool remove(const QString &key, QString *error = nullptr) = 0;
    // Writes every entry and reads each back; false at the first that did not stick.
    virtual bool writeAll(const QHash<QString, QString> &values, QString *error = nullptr);

    static QString keyFor(qint64 connectionId, const QString &field);
};

// A JSON file with mode 0600 beside the catalog ("<catalog>.secrets"). Thread-safe; re-reads the file on
// each access so a CLI and the app can share it. The file is removed with its last entry.
class FileSecretStore : public SecretStore
{
public:
    explicit FileSecretStore(QString path);
    QString backendName() const override { return QStringLiteral("file"); }
    QString read(const QString &key, QString *error = nullptr) override;
    bool write(const QString &key, const QString &value, QString *error = nullptr) override;
    bool remove(const QString &key, QString *error = nullptr) override;
    bool writeAll(const QHash<QString, QString> &values, QString *error = nullptr) override; // one save
    QString path() const { return m_path; }

    static QString defaultPathFor(const QString &catalogPath);

private:
    bool load(QHash<QString, QString> *values, QString *error) const;
    bool save(const QHash<QString, QString> &values, QString *error) const;
    QString m_path;
};
