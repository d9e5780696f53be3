// Settings: where the catalog lives (QSettings, used at the next start: the running engine keeps its catalog
// open; "Save and restart" relaunches) and where the open catalog keeps its secrets, which moves them at once
// (moveSecretsRequested; the main window does it and answers with showSecretStore). GUI thread.
#pragma once

#include "secretlocation.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const QString &currentCatalog, SecretBackend currentBackend, QWidget *parent = nullptr);

    QString catalogLocation() const;
    bool restartRequested() const { return m_restart; }
    // The store in use now, with what the last move did or (`problem`) why it did not happen.
    void showSecretStore(SecretBackend backend, const QString &message = {}, bool problem = false);

    static QString catalogSettingKey() { return QStringLiteral("catalog/location"); }

signals:
    void moveSecretsRequested(SecretBackend target);

private:
    bool apply();

    QString m_currentCatalog;
    SecretBackend m_backend;
    QLineEdit *m_catalog;
    QLabel *m_secretsWhere;
    QPushButton *m_moveSecrets;
    QLabel *m_secretsMessage;
    QLabel *m_note;
    bool m_restart = false;
};
