// A form generated from a connector's ConfigSpec: labels with required marks, help, defaults, masked secrets
// with a reveal toggle, select lists, showIf, and the advanced fields in a collapsible "Advanced" section.
// Problems from validateConfigAgainstSpec() are shown under the field they name. GUI thread.
#pragma once

#include "connector.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QWidget>

class QFormLayout;
class QLabel;
class QSpinBox;
class QToolButton;

class ConfigForm : public QWidget
{
    Q_OBJECT
public:
    explicit ConfigForm(const ConfigSpec &spec, QWidget *parent = nullptr);

    // Fills the form; fields absent from `config` get the spec default.
    void setValues(const QJsonObject &config);
    // The config as typed: fields hidden by showIf and empty fields are left out (defaults apply later).
    QJsonObject values() const;

    // Checks values() against the spec and marks each problem under its field. Returns the problems that
    // name no field (shown by the caller). `ok` is false when any problem was found.
    // `fallback` supplies values for fields left empty (a saved secret the user did not retype).
    QStringList validate(bool *ok, const QJsonObject &fallback = {});
    // Shows problems ("field: message" lines); returns the ones that name no field.
    QStringList showProblems(const QStringList &problems);
    void clearProblems();
    QStringList fieldsWithErrors() const;

    QWidget *editor(const QString &name) const;
    void setPlaceholder(const QString &name, const QString &text);
    // A row above the spec's fields (the connection name), sharing the form's label column.
    void insertLeadingRow(QWidget *label, QWidget *field);
    bool isAdvancedExpanded() const;
    void setAdvancedExpanded(bool expanded);

signals:
    void edited();

private:
    struct Field
    {
        ConfigField spec;
        QWidget *editor = nullptr;
        QWidget *container = nullptr;
        QLabel *error = nullptr;
    };
    Field *field(const QString &name);
    const Field *field(const QString &name) const;
    QWidget *createEditor(Field &field);
    QWidget *createIntegerEditor(Field &field);
    // Set the editor from a saved value; return what could not be shown as saved (an out-of-range number).
    QString setIntegerValue(QSpinBox *spin, const QJsonValue &value);
    void userEdited(const QString &name, bool clearError = true);
    QJsonValue value(const Field &field) const;
    QString setValue(Field &field, const QJsonValue &value);
    bool isRelevant(const Field &field) const;
    void updateVisibility();
    void setFieldError(Field &field, const QString &message);

    QList<Field> m_fields;
    QFormLayout *m_layout = nullptr;
    QToolButton *m_advancedToggle = nullptr;
    bool m_settingValues = false; // setValues() is filling the editors: not an edit by the user
};
