/* ms-importer.c
 *
 * Copyright 2026 The Mailshot authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ms-importer"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-address.h"
#include "ms-csv-reader.h"
#include "ms-importer.h"
#include "ms-json.h"

#define BATCH_ROWS        MS_IMPORT_BATCH_ROWS
#define BATCH_BYTES       (32 * 1024 * 1024)
#define SAMPLE_ROWS       20
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 10)

/* A record kept aside while the columns are decided. */
typedef struct
{
  guint64         line;
  MsCsvRowStatus  status;
  gboolean        empty;
  guint           n_fields;
  char          **fields;
  gsize          *lengths;
} SavedRecord;

/* The start of a file: the header and the first records. */
typedef struct
{
  MsCsvReader  *reader;
  SavedRecord  *header;       /* NULL when the file has no header row */
  GPtrArray    *sample;       /* of SavedRecord, in order */
  guint         n_columns;
  MsFieldRole  *roles;
  char        **titles;       /* n_columns, as shown to people */
} Head;

typedef struct
{
  MsFieldRole  role;
  char        *key_json;      /* custom: the field name as a JSON string */
} Column;

/* A valid row waiting for its batch: offsets into Importer.arena, -1 for none */
typedef struct
{
  gsize   email;
  gssize  name;
  gssize  first_name;
  gssize  last_name;
  gssize  fields;
  guint   seq;
} PendingRow;

typedef struct
{
  MsStore               *store;
  const MsImportOptions *options;
  MsCsvReader           *reader;
  MsImportResult        *result;

  Column                *columns;
  guint                  n_columns;
  int                    email_column;
  int                    name_column;
  int                    first_column;
  int                    last_column;

  GString               *email;
  GString               *json;
  GString               *arena;         /* the pending rows' strings */
  GArray                *pending;       /* of PendingRow */
  GArray                *batch_ids;
  guint64                rows_done;
  guint64                bytes_total;
  gint64                 last_progress;

  MsImportProgressFunc   progress;
  MsImportRejectFunc     reject;
  gpointer               user_data;
} Importer;

G_DEFINE_QUARK (ms-import-error-quark, ms_import_error)

/* Header names, compared after dropping everything but letters and digits and
 * case-folding: "E-Mail-Adresse" is "emailadresse", "Имя и фамилия" is
 * "имяифамилия". */
static const struct
{
  const char  *key;
  MsFieldRole  role;
} known_titles[] = {
  { "email", MS_FIELD_ROLE_EMAIL },
  { "emails", MS_FIELD_ROLE_EMAIL },
  { "emailaddress", MS_FIELD_ROLE_EMAIL },
  { "emailaddr", MS_FIELD_ROLE_EMAIL },
  { "email1", MS_FIELD_ROLE_EMAIL },
  { "email1value", MS_FIELD_ROLE_EMAIL },        /* Google Contacts */
  { "mail", MS_FIELD_ROLE_EMAIL },
  { "mailaddress", MS_FIELD_ROLE_EMAIL },
  { "emailadresse", MS_FIELD_ROLE_EMAIL },
  { "mailadresse", MS_FIELD_ROLE_EMAIL },
  { "courriel", MS_FIELD_ROLE_EMAIL },
  { "adresseemail", MS_FIELD_ROLE_EMAIL },
  { "adresseélectronique", MS_FIELD_ROLE_EMAIL },
  { "correo", MS_FIELD_ROLE_EMAIL },
  { "correoelectrónico", MS_FIELD_ROLE_EMAIL },
  { "correoelectronico", MS_FIELD_ROLE_EMAIL },
  { "адрес", MS_FIELD_ROLE_EMAIL },
  { "почта", MS_FIELD_ROLE_EMAIL },
  { "emailадрес", MS_FIELD_ROLE_EMAIL },
  { "адресemail", MS_FIELD_ROLE_EMAIL },
  { "адреспочты", MS_FIELD_ROLE_EMAIL },
  { "электроннаяпочта", MS_FIELD_ROLE_EMAIL },
  { "адресэлектроннойпочты", MS_FIELD_ROLE_EMAIL },
  { "емейл", MS_FIELD_ROLE_EMAIL },
  { "имейл", MS_FIELD_ROLE_EMAIL },

  { "name", MS_FIELD_ROLE_NAME },
  { "fullname", MS_FIELD_ROLE_NAME },
  { "displayname", MS_FIELD_ROLE_NAME },
  { "contactname", MS_FIELD_ROLE_NAME },
  { "vollständigername", MS_FIELD_ROLE_NAME },
  { "nomcomplet", MS_FIELD_ROLE_NAME },
  { "nombrecompleto", MS_FIELD_ROLE_NAME },
  { "имяифамилия", MS_FIELD_ROLE_NAME },
  { "фамилияиимя", MS_FIELD_ROLE_NAME },
  { "фио", MS_FIELD_ROLE_NAME },
  { "полноеимя", MS_FIELD_ROLE_NAME },

  { "firstname", MS_FIELD_ROLE_FIRST_NAME },
  { "first", MS_FIELD_ROLE_FIRST_NAME },
  { "givenname", MS_FIELD_ROLE_FIRST_NAME },
  { "forename", MS_FIELD_ROLE_FIRST_NAME },
  { "vorname", MS_FIELD_ROLE_FIRST_NAME },
  { "prénom", MS_FIELD_ROLE_FIRST_NAME },
  { "prenom", MS_FIELD_ROLE_FIRST_NAME },
  { "nombre", MS_FIELD_ROLE_FIRST_NAME },
  { "имя", MS_FIELD_ROLE_FIRST_NAME },

  { "lastname", MS_FIELD_ROLE_LAST_NAME },
  { "last", MS_FIELD_ROLE_LAST_NAME },
  { "surname", MS_FIELD_ROLE_LAST_NAME },
  { "familyname", MS_FIELD_ROLE_LAST_NAME },
  { "nachname", MS_FIELD_ROLE_LAST_NAME },
  { "familienname", MS_FIELD_ROLE_LAST_NAME },
  { "nom", MS_FIELD_ROLE_LAST_NAME },
  { "apellido", MS_FIELD_ROLE_LAST_NAME },
  { "apellidos", MS_FIELD_ROLE_LAST_NAME },
  { "фамилия", MS_FIELD_ROLE_LAST_NAME },

  /* Mailshot's own export: the status belongs to Mailshot (bounces,
   * unsubscribes), an import never changes it */
  { "status", MS_FIELD_ROLE_IGNORE },
  { "statusreason", MS_FIELD_ROLE_IGNORE },
};

/* Helpers */

static void
saved_record_free (gpointer data)
{
  SavedRecord *saved = data;

  g_strfreev (saved->fields);
  g_free (saved->lengths);
  g_free (saved);
}

static SavedRecord *
saved_record_new (const MsCsvRecord *record)
{
  SavedRecord *saved = g_new0 (SavedRecord, 1);

  saved->line = record->line;
  saved->status = record->status;
  saved->empty = record->empty;
  saved->n_fields = record->n_fields;
  saved->fields = g_new0 (char *, record->n_fields + 1);
  saved->lengths = g_new0 (gsize, record->n_fields + 1);
  for (guint i = 0; i < record->n_fields; i++)
    {
      saved->fields[i] = g_strndup (record->fields[i], record->lengths[i]);
      saved->lengths[i] = record->lengths[i];
    }

  return saved;
}

static void
saved_record_view (const SavedRecord *saved,
                   MsCsvRecord       *record)
{
  record->line = saved->line;
  record->n_lines = 1;
  record->status = saved->status;
  record->empty = saved->empty;
  record->n_fields = saved->n_fields;
  record->fields = (const char **) saved->fields;
  record->lengths = saved->lengths;
}

static void
head_clear (Head *head)
{
  g_clear_pointer (&head->reader, ms_csv_reader_free);
  g_clear_pointer (&head->header, saved_record_free);
  g_clear_pointer (&head->sample, g_ptr_array_unref);
  g_clear_pointer (&head->roles, g_free);
  g_clear_pointer (&head->titles, g_strfreev);
}

/* Trims ASCII white space and no-break spaces. */
static void
trim_span (const char **start,
           gsize       *length)
{
  const char *s = *start;
  const char *e = s + *length;

  for (;;)
    {
      if (s < e && g_ascii_isspace (*s))
        s++;
      else if (e - s >= 2 && (guchar) s[0] == 0xC2 && (guchar) s[1] == 0xA0)
        s += 2;
      else
        break;
    }
  for (;;)
    {
      if (e > s && g_ascii_isspace (e[-1]))
        e--;
      else if (e - s >= 2 && (guchar) e[-2] == 0xC2 && (guchar) e[-1] == 0xA0)
        e -= 2;
      else
        break;
    }

  *start = s;
  *length = e - s;
}

static char *
normalize_title (const char *title)
{
  g_autofree char *folded = NULL;
  GString *key;

  folded = g_utf8_casefold (title, -1);
  key = g_string_new (NULL);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (key, c);
    }

  return g_string_free (key, FALSE);
}

static gboolean
cell_is_address (const char *text,
                 gsize       length)
{
  g_autoptr(GString) out = g_string_new (NULL);

  return ms_address_normalize_into (text, length, out, NULL);
}

static const char *
row_status_reason (MsCsvRowStatus  status,
                   const char     *encoding,
                   char          **free_me)
{
  switch (status)
    {
    case MS_CSV_ROW_FIELD_TOO_LARGE:
      return _("A field is too large (the limits are 1 MiB per field and 4 MiB per row)");
    case MS_CSV_ROW_TOO_MANY_FIELDS:
      *free_me = g_strdup_printf (_("The row has more than %d fields"), MS_CSV_MAX_FIELDS);
      return *free_me;
    case MS_CSV_ROW_UNTERMINATED_QUOTE:
      return _("A quoted field is never closed: the file ends inside it");
    case MS_CSV_ROW_UNDECODABLE:
      *free_me = g_strdup_printf (_("The row contains bytes that are not valid %s text; "
                                    "choose the file’s encoding"), encoding);
      return *free_me;
    case MS_CSV_ROW_OK:
    default:
      return _("The row cannot be read");
    }
}

/* A blank line, a line of delimiters, or of white space and delimiters */
static gboolean
record_is_blank (const MsCsvRecord *record)
{
  if (record->empty)
    return TRUE;
  if (record->status != MS_CSV_ROW_OK)
    return FALSE;

  for (guint i = 0; i < record->n_fields; i++)
    {
      const char *value = record->fields[i];
      gsize length = record->lengths[i];

      trim_span (&value, &length);
      if (length > 0)
        return FALSE;
    }

  return TRUE;
}

/* Reading the head of a file */

static const MsCsvRecord *
next_non_blank (MsCsvReader   *reader,
                GCancellable  *cancellable,
                GError       **error)
{
  const MsCsvRecord *record;

  while ((record = ms_csv_reader_next (reader, cancellable, error)) != NULL)
    if (!record_is_blank (record))
      return record;

  return NULL;
}

static void
guess_roles (Head *head)
{
  gboolean seen[MS_FIELD_ROLE_CUSTOM + 1] = { FALSE, };

  for (guint i = 0; i < head->n_columns; i++)
    {
      MsFieldRole role = ms_field_role_guess (head->titles[i]);

      /* the first column of a role wins, later ones are kept as custom fields */
      if (role != MS_FIELD_ROLE_CUSTOM && role != MS_FIELD_ROLE_IGNORE && seen[role])
        role = MS_FIELD_ROLE_CUSTOM;
      seen[role] = TRUE;
      head->roles[i] = role;
    }
}

/* When no title says "email": the one column whose sample values are mostly
 * addresses, or -1. */
static int
find_address_column (Head *head)
{
  int found = -1;

  for (guint c = 0; c < head->n_columns; c++)
    {
      guint non_empty = 0;
      guint valid = 0;

      for (guint r = 0; r < head->sample->len; r++)
        {
          SavedRecord *saved = g_ptr_array_index (head->sample, r);

          if (saved->status != MS_CSV_ROW_OK || c >= saved->n_fields || saved->lengths[c] == 0)
            continue;
          non_empty++;
          if (cell_is_address (saved->fields[c], saved->lengths[c]))
            valid++;
        }
      if (head->header != NULL && c < head->header->n_fields &&
          cell_is_address (head->header->fields[c], head->header->lengths[c]))
        {
          non_empty++;
          valid++;
        }

      if (valid > 0 && valid * 2 >= non_empty)
        {
          if (found >= 0)
            return -1;
          found = c;
        }
    }

  return found;
}

static void
make_headerless (Head *head)
{
  g_ptr_array_insert (head->sample, 0, g_steal_pointer (&head->header));
  for (guint i = 0; i < head->n_columns; i++)
    {
      g_free (head->titles[i]);
      head->titles[i] = g_strdup_printf (_("Column %u"), i + 1);
      head->roles[i] = MS_FIELD_ROLE_CUSTOM;
    }
}

static gboolean
check_user_roles (const MsImportOptions  *options,
                  GError                **error)
{
  guint n_email = 0;

  for (guint i = 0; i < options->n_roles; i++)
    {
      if (options->roles[i] > MS_FIELD_ROLE_CUSTOM)
        {
          g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                       _("Column %u has an unknown role."), i + 1);
          return FALSE;
        }
      n_email += options->roles[i] == MS_FIELD_ROLE_EMAIL;
    }

  if (n_email > 1)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("Only one column can hold the email address."));
      return FALSE;
    }
  if (n_email == 0)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                   _("No column is chosen as the email address."));
      return FALSE;
    }

  return TRUE;
}

/* Reads the header row and the first records, and decides the columns.
 * Roles come from options (if given) or from the titles, then from the values;
 * without need_email, a file where no column is found to hold addresses is
 * fine (the preview lets people choose). */
static gboolean
head_read (Head                   *head,
           GFile                  *file,
           const char             *encoding,
           gunichar                delimiter,
           const MsImportOptions  *options,
           guint                   n_sample,
           gboolean                need_email,
           GCancellable           *cancellable,
           GError                **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  const MsCsvRecord *record;
  int email_column = -1;

  memset (head, 0, sizeof *head);

  if (options != NULL && options->roles != NULL && !check_user_roles (options, error))
    return FALSE;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;

  head->reader = ms_csv_reader_new (G_INPUT_STREAM (stream), encoding, delimiter,
                                    cancellable, error);
  if (head->reader == NULL)
    return FALSE;

  record = next_non_blank (head->reader, cancellable, &local_error);
  if (record == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY,
                     _("The file has only empty lines."));
      return FALSE;
    }
  if (record->status == MS_CSV_ROW_UNDECODABLE)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_ENCODING,
                   _("The first row cannot be read as %s text; choose the file’s encoding."),
                   ms_csv_reader_get_encoding (head->reader));
      return FALSE;
    }
  if (record->status != MS_CSV_ROW_OK)
    {
      g_autofree char *free_me = NULL;

      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_FAILED,
                   _("The first row cannot be read: %s."),
                   row_status_reason (record->status, ms_csv_reader_get_encoding (head->reader),
                                      &free_me));
      return FALSE;
    }

  head->header = saved_record_new (record);
  head->n_columns = record->n_fields;
  head->sample = g_ptr_array_new_with_free_func (saved_record_free);
  while (head->sample->len < n_sample &&
         (record = ms_csv_reader_next (head->reader, cancellable, &local_error)) != NULL)
    g_ptr_array_add (head->sample, saved_record_new (record));
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  head->titles = g_new0 (char *, head->n_columns + 1);
  head->roles = g_new0 (MsFieldRole, head->n_columns);
  for (guint i = 0; i < head->n_columns; i++)
    {
      const char *title = head->header->fields[i];
      gsize length = head->header->lengths[i];

      trim_span (&title, &length);
      head->titles[i] = g_strndup (title, length);
    }

  if (options != NULL && options->roles != NULL)
    {
      for (guint i = 0; i < head->n_columns; i++)
        {
          head->roles[i] = i < options->n_roles ? options->roles[i] : MS_FIELD_ROLE_IGNORE;
          if (head->roles[i] == MS_FIELD_ROLE_EMAIL)
            email_column = i;
        }
      if (email_column < 0)
        {
          g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                       _("The column chosen for the email address is not in the file."));
          return FALSE;
        }
    }
  else
    {
      guess_roles (head);
      for (guint i = 0; i < head->n_columns && email_column < 0; i++)
        if (head->roles[i] == MS_FIELD_ROLE_EMAIL)
          email_column = i;

      if (email_column < 0)
        {
          email_column = find_address_column (head);
          if (email_column < 0 && !need_email)
            return TRUE;
          if (email_column < 0)
            {
              g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                           _("No column holds email addresses: name one “email”, "
                             "or choose it in the column mapping."));
              return FALSE;
            }
        }
    }

  /* A first row whose address cell is an address is data, not a header. */
  if (email_column < (int) head->header->n_fields &&
      cell_is_address (head->header->fields[email_column], head->header->lengths[email_column]))
    {
      make_headerless (head);
      if (options != NULL && options->roles != NULL)
        for (guint i = 0; i < head->n_columns; i++)
          head->roles[i] = i < options->n_roles ? options->roles[i] : MS_FIELD_ROLE_IGNORE;
    }
  head->roles[email_column] = MS_FIELD_ROLE_EMAIL;

  return TRUE;
}

/* Importing rows */

static void
report_progress (Importer *imp,
                 gboolean  force)
{
  gint64 now;

  if (imp->progress == NULL)
    return;

  now = g_get_monotonic_time ();
  if (!force && now - imp->last_progress < PROGRESS_INTERVAL)
    return;

  imp->last_progress = now;
  imp->progress (ms_csv_reader_get_bytes_read (imp->reader), imp->bytes_total, imp->rows_done,
                 imp->user_data);
}

static void
reject_row (Importer   *imp,
            guint64     line,
            const char *reason)
{
  MsImportRejection rejection = { (guint) line, (char *) reason };

  imp->result->rejected++;
  if (imp->result->rejections->len < MS_IMPORT_MAX_KEPT)
    {
      MsImportRejection *kept = g_new (MsImportRejection, 1);

      kept->line = (guint) line;
      kept->reason = g_strdup (reason);
      g_ptr_array_add (imp->result->rejections, kept);
    }

  if (imp->reject != NULL)
    imp->reject (&rejection, imp->user_data);
}

/* Appends the trimmed value of column i (if any) to imp->arena and returns
 * its offset, or -1 when it is empty. */
static gssize
take_value (Importer          *imp,
            const MsCsvRecord *record,
            int                column)
{
  const char *value;
  gsize length;
  gsize offset;

  if (column < 0 || (guint) column >= record->n_fields)
    return -1;

  value = record->fields[column];
  length = record->lengths[column];
  trim_span (&value, &length);
  if (length == 0)
    return -1;

  offset = imp->arena->len;
  g_string_append_len (imp->arena, value, length);
  g_string_append_c (imp->arena, '\0');
  return offset;
}

static const char *
value_at (Importer *imp,
          gssize    offset)
{
  return offset < 0 ? NULL : imp->arena->str + offset;
}

static void
build_fields_json (Importer          *imp,
                   const MsCsvRecord *record)
{
  guint n = MIN (record->n_fields, imp->n_columns);

  g_string_truncate (imp->json, 0);
  for (guint i = 0; i < n; i++)
    {
      const char *value;
      gsize length;

      if (imp->columns[i].role != MS_FIELD_ROLE_CUSTOM)
        continue;

      value = record->fields[i];
      length = record->lengths[i];
      trim_span (&value, &length);
      if (length == 0)
        continue;

      g_string_append_c (imp->json, imp->json->len == 0 ? '{' : ',');
      g_string_append (imp->json, imp->columns[i].key_json);
      g_string_append_c (imp->json, ':');
      if (length == record->lengths[i])
        ms_json_append_string (imp->json, value);
      else
        {
          g_autofree char *copy = g_strndup (value, length);

          ms_json_append_string (imp->json, copy);
        }
    }
  if (imp->json->len > 0)
    g_string_append_c (imp->json, '}');
}

static gboolean
has_extra_values (const MsCsvRecord *record,
                  guint              n_columns)
{
  for (guint i = n_columns; i < record->n_fields; i++)
    {
      const char *value = record->fields[i];
      gsize length = record->lengths[i];

      trim_span (&value, &length);
      if (length > 0)
        return TRUE;
    }

  return FALSE;
}

/* Rejects the record, or adds it to the pending rows. */
static void
import_record (Importer          *imp,
               const MsCsvRecord *record)
{
  g_autoptr(GError) address_error = NULL;
  const char *cell;
  gsize cell_length;
  PendingRow row;

  if (record->status != MS_CSV_ROW_OK)
    {
      g_autofree char *free_me = NULL;

      reject_row (imp, record->line,
                  row_status_reason (record->status, ms_csv_reader_get_encoding (imp->reader),
                                     &free_me));
      return;
    }
  if (record_is_blank (record))
    return;

  if (record->n_fields > imp->n_columns && has_extra_values (record, imp->n_columns))
    {
      g_autofree char *reason = g_strdup_printf (_("The row has %u fields, the header has %u"),
                                                 record->n_fields, imp->n_columns);

      reject_row (imp, record->line, reason);
      return;
    }

  cell = (guint) imp->email_column < record->n_fields ? record->fields[imp->email_column] : "";
  cell_length = (guint) imp->email_column < record->n_fields ? record->lengths[imp->email_column] : 0;
  trim_span (&cell, &cell_length);
  if (cell_length == 0)
    {
      reject_row (imp, record->line, _("No email address"));
      return;
    }

  g_string_truncate (imp->email, 0);
  if (!ms_address_normalize_into (cell, cell_length, imp->email, &address_error))
    {
      g_autofree char *shown = g_strndup (cell, MIN (cell_length, 200));
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("Invalid email address “%s”: %s"), shown, address_error->message);
      reject_row (imp, record->line, reason);
      return;
    }

  row.seq = imp->pending->len;
  row.email = imp->arena->len;
  g_string_append_len (imp->arena, imp->email->str, imp->email->len + 1);
  row.name = take_value (imp, record, imp->name_column);
  row.first_name = take_value (imp, record, imp->first_column);
  row.last_name = take_value (imp, record, imp->last_column);
  build_fields_json (imp, record);
  row.fields = -1;
  if (imp->json->len > 0)
    {
      row.fields = imp->arena->len;
      g_string_append_len (imp->arena, imp->json->str, imp->json->len + 1);
    }
  g_array_append_val (imp->pending, row);
}

/* SQLite's NOCASE: ASCII letters folded, other bytes compared as they are */
static inline int
compare_nocase (const char *a,
                const char *b)
{
  const guchar *pa = (const guchar *) a;
  const guchar *pb = (const guchar *) b;

  for (;; pa++, pb++)
    {
      guchar ca = *pa;
      guchar cb = *pb;

      if (ca != cb)
        {
          if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
          if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
          if (ca != cb)
            return (int) ca - (int) cb;
        }
      if (ca == '\0')
        return 0;
    }
}

/* The order of the email index, file order among equals */
static int
compare_pending (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const PendingRow *ra = a;
  const PendingRow *rb = b;
  const char *arena = user_data;
  int cmp = compare_nocase (arena + ra->email, arena + rb->email);

  if (cmp != 0)
    return cmp;
  return ra->seq < rb->seq ? -1 : ra->seq > rb->seq;
}

static gboolean
store_row (Importer          *imp,
           const PendingRow  *row,
           GError           **error)
{
  gint64 id = 0;
  MsUpsertResult upsert = MS_UPSERT_SKIPPED;

  if (!ms_store_upsert_contact (imp->store, imp->arena->str + row->email,
                                value_at (imp, row->name), value_at (imp, row->first_name),
                                value_at (imp, row->last_name), value_at (imp, row->fields),
                                imp->options->on_duplicate == MS_DUPLICATE_UPDATE,
                                &id, &upsert, error))
    return FALSE;

  switch (upsert)
    {
    case MS_UPSERT_INSERTED:
      imp->result->imported++;
      break;
    case MS_UPSERT_UPDATED:
      imp->result->updated++;
      break;
    case MS_UPSERT_SKIPPED:
      imp->result->skipped++;
      break;
    default:
      g_assert_not_reached ();
    }

  if (imp->result->list_id != 0)
    g_array_append_val (imp->batch_ids, id);

  return TRUE;
}

/* Writes the pending rows in one transaction.  They go in the order of the
 * email index, which keeps the B-tree pages each batch touches together. */
static gboolean
flush_batch (Importer  *imp,
             GError   **error)
{
  if (!ms_store_begin (imp->store, error))
    return FALSE;

  /* in the first transaction: an import that fails early creates no list */
  if (imp->options->list_name != NULL && imp->result->list_id == 0)
    {
      imp->result->list_id = ms_store_ensure_list (imp->store, imp->options->list_name, NULL,
                                                   error);
      if (imp->result->list_id <= 0)
        goto fail;
    }

  g_array_sort_with_data (imp->pending, compare_pending, imp->arena->str);
  for (guint i = 0; i < imp->pending->len; i++)
    if (!store_row (imp, &g_array_index (imp->pending, PendingRow, i), error))
      goto fail;

  if (imp->batch_ids->len > 0 &&
      !ms_store_add_list_members (imp->store, imp->result->list_id,
                                  (const gint64 *) (gpointer) imp->batch_ids->data,
                                  imp->batch_ids->len, error))
    goto fail;

  if (!ms_store_commit (imp->store, error))
    goto fail;

  g_array_set_size (imp->batch_ids, 0);
  g_array_set_size (imp->pending, 0);
  g_string_truncate (imp->arena, 0);
  return TRUE;

fail:
  ms_store_rollback (imp->store);
  return FALSE;
}

static gboolean
process_record (Importer           *imp,
                const MsCsvRecord  *record,
                GCancellable       *cancellable,
                GError            **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  import_record (imp, record);

  imp->rows_done++;
  if (imp->pending->len >= BATCH_ROWS || imp->arena->len >= BATCH_BYTES)
    {
      if (!flush_batch (imp, error))
        return FALSE;
      report_progress (imp, FALSE);
    }
  else if ((imp->rows_done & 255) == 0)
    report_progress (imp, FALSE);

  return TRUE;
}

static void
setup_columns (Importer *imp,
               Head     *head)
{
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  imp->n_columns = head->n_columns;
  imp->columns = g_new0 (Column, head->n_columns);
  imp->email_column = imp->name_column = imp->first_column = imp->last_column = -1;

  for (guint i = 0; i < head->n_columns; i++)
    {
      Column *column = &imp->columns[i];

      column->role = head->roles[i];
      switch (column->role)
        {
        case MS_FIELD_ROLE_EMAIL:
          imp->email_column = i;
          break;
        case MS_FIELD_ROLE_NAME:
          if (imp->name_column < 0)
            imp->name_column = i;
          break;
        case MS_FIELD_ROLE_FIRST_NAME:
          if (imp->first_column < 0)
            imp->first_column = i;
          break;
        case MS_FIELD_ROLE_LAST_NAME:
          if (imp->last_column < 0)
            imp->last_column = i;
          break;
        case MS_FIELD_ROLE_CUSTOM:
          {
            g_autofree char *base = NULL;
            g_autoptr(GString) key_json = g_string_new (NULL);
            char *key;

            if (head->header == NULL || head->titles[i][0] == '\0')
              base = g_strdup_printf ("column_%u", i + 1);
            else
              base = g_strdup (head->titles[i]);

            key = g_strdup (base);
            for (guint n = 2; g_hash_table_contains (used, key); n++)
              {
                g_free (key);
                key = g_strdup_printf ("%s_%u", base, n);
              }
            g_ptr_array_add (keys, key);
            g_hash_table_add (used, key);

            ms_json_append_string (key_json, key);
            column->key_json = g_string_free (g_steal_pointer (&key_json), FALSE);
          }
          break;
        case MS_FIELD_ROLE_IGNORE:
        default:
          break;
        }
    }
}

static void
importer_clear (Importer *imp)
{
  for (guint i = 0; i < imp->n_columns; i++)
    g_free (imp->columns[i].key_json);
  g_clear_pointer (&imp->columns, g_free);
  if (imp->email != NULL)
    g_string_free (imp->email, TRUE);
  if (imp->json != NULL)
    g_string_free (imp->json, TRUE);
  if (imp->arena != NULL)
    g_string_free (imp->arena, TRUE);
  g_clear_pointer (&imp->pending, g_array_unref);
  g_clear_pointer (&imp->batch_ids, g_array_unref);
  g_clear_pointer (&imp->result, ms_import_result_free);
}

static gboolean
import_rows (Importer      *imp,
             Head          *head,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  const MsCsvRecord *record;
  gboolean any_data = FALSE;

  for (guint i = 0; i < head->sample->len; i++)
    {
      SavedRecord *saved = g_ptr_array_index (head->sample, i);
      MsCsvRecord view;

      saved_record_view (saved, &view);
      any_data |= !record_is_blank (&view);
      if (!process_record (imp, &view, cancellable, error))
        return FALSE;
    }

  while ((record = ms_csv_reader_next (imp->reader, cancellable, &local_error)) != NULL)
    {
      any_data |= !record_is_blank (record);
      if (!process_record (imp, record, cancellable, error))
        return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!any_data)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY,
                   _("The file has a header row but no contacts."));
      return FALSE;
    }

  if (!flush_batch (imp, error))
    return FALSE;

  report_progress (imp, TRUE);
  return TRUE;
}

/* Public API */

const char *
ms_field_role_to_string (MsFieldRole role)
{
  switch (role)
    {
    case MS_FIELD_ROLE_IGNORE:
      return "ignore";
    case MS_FIELD_ROLE_EMAIL:
      return "email";
    case MS_FIELD_ROLE_NAME:
      return "name";
    case MS_FIELD_ROLE_FIRST_NAME:
      return "first_name";
    case MS_FIELD_ROLE_LAST_NAME:
      return "last_name";
    case MS_FIELD_ROLE_CUSTOM:
      return "custom";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ms_field_role_guess:
 * @column_title: a header cell
 *
 * What a column is, from its title: email, name, first or last name in
 * English, German, Russian, French or Spanish, ignoring case, spaces and
 * punctuation; "status" and "status_reason" (Mailshot's own export) are
 * ignored; anything else is a custom field.
 */
MsFieldRole
ms_field_role_guess (const char *column_title)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (column_title != NULL, MS_FIELD_ROLE_CUSTOM);

  key = normalize_title (column_title);
  for (gsize i = 0; i < G_N_ELEMENTS (known_titles); i++)
    if (strcmp (key, known_titles[i].key) == 0)
      return known_titles[i].role;

  return MS_FIELD_ROLE_CUSTOM;
}

/**
 * ms_csv_preview_load:
 * @file: a CSV file
 * @encoding: (nullable): an iconv name, or %NULL or "auto"
 * @delimiter: or 0 to detect
 * @max_rows: data rows to return
 *
 * Detects what the importer would detect and returns the first rows with
 * the suggested role of each column (none may be MS_FIELD_ROLE_EMAIL when no
 * column looks like addresses).  A file whose first row already holds an
 * address has no header row: its columns are called "Column 1", "Column 2"...
 *
 * Returns: (transfer full) (nullable): the preview, or %NULL with @error set
 */
MsCsvPreview *
ms_csv_preview_load (GFile         *file,
                     const char    *encoding,
                     gunichar       delimiter,
                     guint          max_rows,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Head head;
  MsCsvPreview *preview;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!head_read (&head, file, encoding, delimiter, NULL, MAX (max_rows, SAMPLE_ROWS), FALSE,
                  cancellable, error))
    {
      head_clear (&head);
      return NULL;
    }

  preview = g_new0 (MsCsvPreview, 1);
  preview->encoding = g_strdup (ms_csv_reader_get_encoding (head.reader));
  preview->had_bom = ms_csv_reader_get_had_bom (head.reader);
  preview->delimiter = ms_csv_reader_get_delimiter (head.reader);
  preview->n_columns = head.n_columns;
  preview->header = g_steal_pointer (&head.titles);
  preview->roles = g_steal_pointer (&head.roles);
  preview->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < head.sample->len && preview->rows->len < max_rows; i++)
    {
      SavedRecord *saved = g_ptr_array_index (head.sample, i);

      if (saved->empty || saved->status != MS_CSV_ROW_OK)
        continue;
      g_ptr_array_add (preview->rows, g_strdupv (saved->fields));
    }

  head_clear (&head);
  return preview;
}

void
ms_csv_preview_free (MsCsvPreview *preview)
{
  if (preview == NULL)
    return;

  g_free (preview->encoding);
  g_strfreev (preview->header);
  g_free (preview->roles);
  g_clear_pointer (&preview->rows, g_ptr_array_unref);
  g_free (preview);
}

static void
rejection_free (gpointer data)
{
  MsImportRejection *rejection = data;

  g_free (rejection->reason);
  g_free (rejection);
}

/**
 * ms_import_csv_sync:
 * @store: the database
 * @file: a CSV file with a header row
 * @options: what to do
 * @progress: (nullable) (scope call): called at most ~10 times a second
 * @reject: (nullable) (scope call): called for every rejected row
 * @cancellable: (nullable): stops the import between rows
 *
 * Imports the file in transactions of MS_IMPORT_BATCH_ROWS rows (each batch
 * is written in the order of the email index, which is much faster than file
 * order for large files; ids within a batch follow that order).  Rows are
 * rejected (and
 * reported with their line and reason, the import goes on) for: a missing or
 * invalid address, more non-empty fields than the header has, a field over
 * 1 MiB, a quoted field never closed, or bytes the encoding cannot decode.
 * Blank lines and lines of only delimiters or spaces are skipped without a word; a row
 * with fewer fields than the header is fine (the missing values are empty).
 * Duplicates, within the file or with contacts already stored, follow
 * options->on_duplicate: UPDATE merges the non-empty values of the later row
 * into the contact (counted as updated), SKIP leaves the contact as it is
 * (counted as skipped).  With a list, every accepted row's contact becomes a
 * member, duplicates included.
 *
 * When @cancellable is cancelled the current transaction is rolled back:
 * batches already committed stay in the database, and the call fails with
 * G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the counts, or %NULL with @error set
 */
MsImportResult *
ms_import_csv_sync (MsStore                *store,
                    GFile                  *file,
                    const MsImportOptions  *options,
                    MsImportProgressFunc    progress,
                    MsImportRejectFunc      reject,
                    gpointer                user_data,
                    GCancellable           *cancellable,
                    GError                **error)
{
  static const MsImportOptions default_options = { NULL, NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  g_autoptr(GFileInfo) info = NULL;
  Importer imp = { 0, };
  Head head;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (options == NULL)
    options = &default_options;

  if (options->on_duplicate != MS_DUPLICATE_UPDATE && options->on_duplicate != MS_DUPLICATE_SKIP)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("Unknown duplicate policy."));
      return NULL;
    }

  if (!head_read (&head, file, options->encoding, options->delimiter, options, SAMPLE_ROWS, TRUE,
                  cancellable, error))
    {
      head_clear (&head);
      return NULL;
    }

  imp.store = store;
  imp.options = options;
  imp.reader = head.reader;
  imp.progress = progress;
  imp.reject = reject;
  imp.user_data = user_data;
  imp.email = g_string_sized_new (256);
  imp.json = g_string_sized_new (256);
  imp.arena = g_string_sized_new (1024 * 1024);
  imp.pending = g_array_sized_new (FALSE, FALSE, sizeof (PendingRow), 1024);
  imp.batch_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1024);
  imp.result = g_new0 (MsImportResult, 1);
  imp.result->rejections = g_ptr_array_new_with_free_func (rejection_free);
  imp.result->encoding = g_strdup (ms_csv_reader_get_encoding (head.reader));
  imp.result->delimiter = ms_csv_reader_get_delimiter (head.reader);
  setup_columns (&imp, &head);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, NULL);
  if (info != NULL)
    imp.bytes_total = g_file_info_get_size (info);

  ms_store_set_bulk_mode (store, TRUE);
  report_progress (&imp, TRUE);
  ok = import_rows (&imp, &head, cancellable, error);
  ms_store_set_bulk_mode (store, FALSE);

  head_clear (&head);
  imp.reader = NULL;
  if (!ok)
    {
      importer_clear (&imp);
      return NULL;
    }

  {
    MsImportResult *result = g_steal_pointer (&imp.result);

    importer_clear (&imp);
    return result;
  }
}

void
ms_import_result_free (MsImportResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->rejections, g_ptr_array_unref);
  g_free (result->encoding);
  g_free (result);
}

/* Async */

typedef struct
{
  char                 *db_path;
  GFile                *file;
  MsImportOptions       options;
  char                 *list_name;
  char                 *encoding;
  MsFieldRole          *roles;

  GMainContext         *context;
  MsImportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;

  GMutex                lock;
  gboolean              pending;
  guint64               bytes_done;
  guint64               bytes_total;
  guint64               rows_done;
} ImportTask;

static gboolean
do_nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Runs func on context, never on this thread unless it owns context
 * (g_main_context_invoke() would run it here if the context is free). */
static void
run_in_context (GMainContext   *context,
                GSourceFunc     func,
                gpointer        data,
                GDestroyNotify  notify)
{
  GSource *source;

  if (g_main_context_is_owner (context))
    {
      func (data);
      if (notify != NULL)
        notify (data);
      return;
    }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[mailshot] import progress");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
import_task_free (gpointer data)
{
  ImportTask *td = data;

  /* the progress data belongs to the caller's context: release it there */
  if (td->progress_data_free != NULL)
    run_in_context (td->context, do_nothing_cb, td->progress_data, td->progress_data_free);
  g_main_context_unref (td->context);
  g_free (td->db_path);
  g_clear_object (&td->file);
  g_free (td->list_name);
  g_free (td->encoding);
  g_free (td->roles);
  g_mutex_clear (&td->lock);
  g_free (td);
}

static gboolean
deliver_progress_cb (gpointer data)
{
  GTask *task = data;
  ImportTask *td = g_task_get_task_data (task);
  guint64 bytes_done, bytes_total, rows_done;

  g_mutex_lock (&td->lock);
  td->pending = FALSE;
  bytes_done = td->bytes_done;
  bytes_total = td->bytes_total;
  rows_done = td->rows_done;
  g_mutex_unlock (&td->lock);

  td->progress (bytes_done, bytes_total, rows_done, td->progress_data);
  return G_SOURCE_REMOVE;
}

/* worker thread; the sync import already calls this at most ~10 times a second */
static void
post_progress (guint64  bytes_done,
               guint64  bytes_total,
               guint64  rows_done,
               gpointer user_data)
{
  GTask *task = user_data;
  ImportTask *td = g_task_get_task_data (task);
  gboolean schedule;

  g_mutex_lock (&td->lock);
  td->bytes_done = bytes_done;
  td->bytes_total = bytes_total;
  td->rows_done = rows_done;
  schedule = !td->pending;
  td->pending = TRUE;
  g_mutex_unlock (&td->lock);

  if (schedule)
    run_in_context (td->context, deliver_progress_cb, g_object_ref (task), g_object_unref);
}

static void
import_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportTask *td = task_data;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  MsImportResult *result;

  store = ms_store_open (td->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = ms_import_csv_sync (store, td->file, &td->options,
                               td->progress != NULL ? post_progress : NULL, NULL, task,
                               cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ms_import_result_free);
}

/**
 * ms_import_csv_async:
 * @db_path: the database file; the worker thread opens its own connection
 * @progress: (nullable): called on the caller's thread-default main context,
 *   at most ~10 times a second
 *
 * ms_import_csv_sync() on a worker thread.  Rejections are in the result.
 */
void
ms_import_csv_async (const char             *db_path,
                     GFile                  *file,
                     const MsImportOptions  *options,
                     MsImportProgressFunc    progress,
                     gpointer                progress_data,
                     GDestroyNotify          progress_data_free,
                     GCancellable           *cancellable,
                     GAsyncReadyCallback     callback,
                     gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportTask *td;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (G_IS_FILE (file));

  td = g_new0 (ImportTask, 1);
  td->db_path = g_strdup (db_path);
  td->file = g_object_ref (file);
  if (options != NULL)
    td->options = *options;
  else
    td->options.on_duplicate = MS_DUPLICATE_UPDATE;
  td->list_name = g_strdup (td->options.list_name);
  td->encoding = g_strdup (td->options.encoding);
  td->options.list_name = td->list_name;
  td->options.encoding = td->encoding;
  if (td->options.roles != NULL)
    {
      td->roles = g_memdup2 (td->options.roles, sizeof (MsFieldRole) * td->options.n_roles);
      td->options.roles = td->roles;
    }
  td->context = g_main_context_ref_thread_default ();
  td->progress = progress;
  td->progress_data = progress_data;
  td->progress_data_free = progress_data_free;
  g_mutex_init (&td->lock);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_import_csv_async);
  g_task_set_task_data (task, td, import_task_free);
  g_task_run_in_thread (task, import_worker);
}

MsImportResult *
ms_import_csv_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_import_csv_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
