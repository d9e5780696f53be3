// Add / edit / duplicate a connection: a name plus the form generated from the connector's config spec, a
// Test connection row, and Save. Nothing is saved until every field is valid; saving goes through
// SyncEngine::saveConnection (catalog write on the writer thread, secrets to the secret store). GUI thread.
#pragma once

#include "catalog.h"
#include "connector.h"

#include <QDialog>
#include <QJsonObject>
#include <QStringList>

class ConfigForm;
class QLabel;
class QLineEdit;
class QPushButton;
class SyncEngine;
class TestConnectionWidget;

class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Add, Edit, Duplicate };

    // `existing`: the connection being edited (Edit) or copied (Duplicate); `config` its resolved config.
    // `takenNames`: names of other connections (a name must be unique).
    ConnectionDialog(SyncEngine *engine, const ConnectorMetadata &metadata, Mode mode,
                     const ConnectionInfo &existing, const QJsonObject &config, const QStringList &takenNames,
                     QWidget *parent = nullptr);

    qint64 savedConnectionId() const { return m_savedId; }
    QString connectionName() const;
    ConfigForm *form() const { return m_form; }
    TestConnectionWidget *tester() const { return m_tester; }

public slots:
    // Validates, then saves. Returns true when saved (and the dialog accepted).
    bool save();

signals:
    void saved(qint64 connectionId);

private:
    bool validateName();
    // The form's values with saved secrets filled in where the user left them empty.
    QJsonObject effectiveConfig() const;

    SyncEngine *m_engine;
    ConnectorMetadata m_metadata;
    Mode m_mode;
    qint64 m_connectionId = 0;
    QStringList m_takenNames;
    qint64 m_savedId = 0;
    QJsonObject m_storedSecrets; // secrets of the edited/copied connection; never shown unless retyped
    QLineEdit *m_name;
    QLabel *m_nameError;
    ConfigForm *m_form;
    TestConnectionWidget *m_tester;
    QLabel *m_generalError;
    QPushButton *m_saveButton;
};
