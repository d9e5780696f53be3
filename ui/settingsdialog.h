// Settings: where the catalog lives and which secret store holds credentials. Stored in QSettings and used
// at the next start (the running engine keeps its catalog open); "Restart now" relaunches. GUI thread.
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const QString &currentCatalog, const QString &currentBackend, QWidget *parent = nullptr);

    QString catalogLocation() const;
    QString secretBackend() const;
    bool restartRequested() const { return m_restart; }

    static QString catalogSettingKey() { return QStringLiteral("catalog/location"); }
    static QString backendSettingKey() { return QStringLiteral("secrets/backend"); }

private:
    bool apply();
    void checkBackend();

    QString m_currentCatalog;
    QString m_currentBackend;
    QLineEdit *m_catalog;
    QComboBox *m_backend;
    QLabel *m_backendNote;
    QLabel *m_note;
    bool m_restart = false;
};
