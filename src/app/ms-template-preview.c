/* ms-template-preview.c
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

#define G_LOG_DOMAIN "ms-template-preview"

#include "config.h"

#include <glib/gi18n.h>
#include <webkit/webkit.h>

#include "ms-message.h"
#include "ms-preflight.h"
#include "ms-server.h"
#include "ms-template-preview.h"

#define RENDER_DELAY_MS 300

/* Nothing but the document itself, inline styles and embedded images: no
 * scripts, no remote images, fonts, frames or forms. */
#define PREVIEW_CSP "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'"

struct _MsTemplatePreview
{
  GtkBox          parent_instance;

  /* Template */
  GtkDropDown    *contact_dropdown;
  GtkWidget      *switcher;
  GtkToggleButton *html_button;
  GtkToggleButton *text_button;
  GtkLabel       *subject_label;
  GtkLabel       *from_label;
  GtkLabel       *to_label;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkListBox     *findings_list;
  GtkStack       *stack;
  GtkFrame       *web_frame;
  GtkTextView    *text_view;

  /* State */
  WebKitWebView  *web_view;
  GListModel     *contacts;
  GStrv           custom_fields;
  GPtrArray      *servers;        /* MsServer */
  MsTemplate     *tmpl;           /* the copy to render next */
  GCancellable   *cancellable;
  guint           timeout_id;
  guint           generation;     /* of the newest render started */
  gboolean        rendering;
  gboolean        loading;        /* the web view loads the document */
  gboolean        busy;           /* last notified */
  char           *html;
  char           *text;
  char           *subject;
  char           *error;
};

G_DEFINE_FINAL_TYPE (MsTemplatePreview, ms_template_preview, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void render_now (MsTemplatePreview *self);

static void
update_busy (MsTemplatePreview *self)
{
  gboolean busy = self->timeout_id != 0 || self->rendering || self->loading;

  if (busy != self->busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

/* The document */

char *
ms_template_preview_protect_html (const char *html)
{
  g_autofree char *lower = NULL;
  const char *head, *end;
  static const char meta[] = "<meta http-equiv=\"Content-Security-Policy\" content=\"" PREVIEW_CSP "\">";

  g_return_val_if_fail (html != NULL, NULL);

  /* Right after <head ...>, before anything that could load. */
  lower = g_ascii_strdown (html, -1);
  head = strstr (lower, "<head");
  if (head != NULL && (head[5] == '>' || g_ascii_isspace (head[5])) && (end = strchr (head, '>')) != NULL)
    {
      gsize at = (gsize) (end - lower) + 1;

      return g_strdup_printf ("%.*s%s%s", (int) at, html, meta, html + at);
    }
  return g_strdup_printf ("<!DOCTYPE html><html><head>%s</head><body>%s</body></html>", meta, html);
}

static gboolean
on_decide_policy_cb (WebKitWebView            *web_view,
                     WebKitPolicyDecision     *decision,
                     WebKitPolicyDecisionType  type,
                     MsTemplatePreview        *self)
{
  WebKitNavigationAction *action;
  WebKitURIRequest *request;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    return FALSE;

  /* Only the document we load: a clicked link does not leave the preview. */
  action = webkit_navigation_policy_decision_get_navigation_action (WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  request = webkit_navigation_action_get_request (action);
  if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION
      && g_strcmp0 (webkit_uri_request_get_uri (request), "about:blank") == 0
      && webkit_navigation_action_get_navigation_type (action) == WEBKIT_NAVIGATION_TYPE_OTHER)
    webkit_policy_decision_use (decision);
  else
    webkit_policy_decision_ignore (decision);
  return TRUE;
}

static void
show_error (MsTemplatePreview *self,
            const char        *text)
{
  g_free (self->error);
  self->error = g_strdup (text);
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_revealer_set_reveal_child (self->error_revealer, text != NULL);
}

static void
on_load_changed_cb (WebKitWebView     *web_view,
                    WebKitLoadEvent    event,
                    MsTemplatePreview *self)
{
  if (event == WEBKIT_LOAD_FINISHED)
    {
      self->loading = FALSE;
      update_busy (self);
    }
}

static gboolean
on_load_failed_cb (WebKitWebView     *web_view,
                   WebKitLoadEvent    event,
                   const char        *uri,
                   GError            *error,
                   MsTemplatePreview *self)
{
  /* A newer document replacing this one is not a failure. */
  if (!g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("The preview could not show the message: %s"), error->message);

      show_error (self, text);
    }
  return FALSE;
}

static void
on_web_process_terminated_cb (WebKitWebView                     *web_view,
                              WebKitWebProcessTerminationReason  reason,
                              MsTemplatePreview                 *self)
{
  show_error (self, _("The preview stopped working. Change the template or choose another contact to "
                      "try again."));
  self->loading = FALSE;
  update_busy (self);
}

static void
create_web_view (MsTemplatePreview *self)
{
  g_autoptr(WebKitSettings) settings = webkit_settings_new ();
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();

  webkit_settings_set_enable_javascript (settings, FALSE);
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_auto_load_images (settings, TRUE);   /* data: only, by the CSP */
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_media_playback_requires_user_gesture (settings, TRUE);

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "settings", settings,
                                 "network-session", session,
                                 NULL);
  gtk_widget_set_name (GTK_WIDGET (self->web_view), "preview-web-view");
  gtk_widget_set_vexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->web_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("HTML part of the message"), -1);
  g_signal_connect_object (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (on_load_changed_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-failed", G_CALLBACK (on_load_failed_cb), self, 0);
  g_signal_connect_object (self->web_view, "web-process-terminated",
                           G_CALLBACK (on_web_process_terminated_cb), self, 0);
  gtk_frame_set_child (self->web_frame, GTK_WIDGET (self->web_view));
}

/* Rendering on a worker thread */

typedef struct
{
  MsTemplate *tmpl;
  MsContact  *contact;
  GStrv       custom_fields;
  GPtrArray  *servers;          /* MsServer copies */
  guint       generation;

  /* results */
  char       *subject;
  char       *text;
  char       *html;
  char       *from;
  GError     *error;
  GPtrArray  *findings;         /* MsPreflightFinding */
} RenderJob;

static void
render_job_free (gpointer data)
{
  RenderJob *job = data;

  g_clear_object (&job->tmpl);
  g_clear_object (&job->contact);
  g_strfreev (job->custom_fields);
  g_clear_pointer (&job->servers, g_ptr_array_unref);
  g_free (job->subject);
  g_free (job->text);
  g_free (job->html);
  g_free (job->from);
  g_clear_error (&job->error);
  g_clear_pointer (&job->findings, g_ptr_array_unref);
  g_free (job);
}

static MsServer *
first_enabled_server (GPtrArray *servers)
{
  for (guint i = 0; servers != NULL && i < servers->len; i++)
    if (ms_server_get_enabled (g_ptr_array_index (servers, i)))
      return g_ptr_array_index (servers, i);
  return NULL;
}

static void
render_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  MsServer *server = first_enabled_server (job->servers);
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GBytes) sample = NULL;
  g_autofree MsPreflightServer *checks = NULL;
  g_autofree char *html = NULL;
  MsMessageSender sender = { 0 };
  gsize size = 0;

  /* From: the first server's, as a campaign through it would have; without a
   * server, the template's own or a stand-in that is not shown. */
  if (server != NULL)
    {
      sender.from_address = ms_server_get_sender_address (server);
      sender.from_name = ms_server_get_sender_name (server);
      sender.allow_sender_substitution = ms_server_get_allow_sender_substitution (server);
    }
  else if (ms_template_get_sender_address (job->tmpl) == NULL)
    sender.from_address = "sender@example.invalid";

  renderer = ms_message_renderer_new (job->tmpl, &sender, (const char * const *) job->custom_fields, &job->error);
  if (renderer != NULL
      && ms_message_renderer_render_parts (renderer, job->contact, &job->subject, &job->text, &html, &job->error))
    {
      if (html != NULL)
        job->html = ms_template_preview_protect_html (html);
      if (server != NULL || ms_template_get_sender_address (job->tmpl) != NULL)
        job->from = g_strdup (ms_message_renderer_get_from_address (renderer));
      sample = ms_message_renderer_render (renderer, job->contact, "preview@mailshot.invalid", NULL);
      size = sample != NULL ? g_bytes_get_size (sample) : 0;
    }

  checks = g_new0 (MsPreflightServer, MAX (job->servers->len, 1));
  for (guint i = 0; i < job->servers->len; i++)
    {
      MsServer *s = g_ptr_array_index (job->servers, i);

      checks[i].name = ms_server_get_name (s);
      checks[i].from_address = ms_server_get_sender_address (s);
      checks[i].allow_sender_substitution = ms_server_get_allow_sender_substitution (s);
      checks[i].max_message_size = ms_server_get_max_message_size (s);
    }
  job->findings = ms_preflight_check (job->tmpl, size, checks, job->servers->len);
  g_task_return_boolean (task, TRUE);
}

static void
clear_findings (MsTemplatePreview *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->findings_list))) != NULL)
    gtk_list_box_remove (self->findings_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->findings_list), FALSE);
}

static void
show_findings (MsTemplatePreview *self,
               GPtrArray         *findings)
{
  clear_findings (self);
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      MsPreflightFinding *finding = g_ptr_array_index (findings, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *text = g_markup_escape_text (finding->message, -1);
      const char *icon = finding->severity == MS_PREFLIGHT_ERROR ? "dialog-error-symbolic"
                         : finding->severity == MS_PREFLIGHT_WARNING ? "dialog-warning-symbolic"
                         : "dialog-information-symbolic";

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon);
      gtk_widget_add_css_class (row, finding->severity == MS_PREFLIGHT_ERROR ? "error" : "ms-finding");
      gtk_list_box_append (self->findings_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->findings_list), findings != NULL && findings->len > 0);
}

static void
set_header_label (GtkLabel   *label,
                  char       *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  g_free (text);
}

static void
on_rendered_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MsTemplatePreview *self = MS_TEMPLATE_PREVIEW (source);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  g_autofree char *to = NULL;
  MsContact *contact;

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;   /* cancelled: the preview is gone */

  self->rendering = FALSE;
  if (job->generation != self->generation)
    {
      /* The template changed while this one rendered. */
      if (self->timeout_id == 0)
        render_now (self);
      update_busy (self);
      return;
    }

  g_free (self->subject);
  self->subject = g_steal_pointer (&job->subject);
  g_free (self->text);
  self->text = g_steal_pointer (&job->text);
  g_free (self->html);
  self->html = g_steal_pointer (&job->html);
  show_error (self, job->error != NULL ? job->error->message : NULL);
  show_findings (self, job->findings);

  contact = job->contact;
  {
    g_autofree char *name = ms_contact_dup_display_name (contact);

    to = name != NULL && name[0] != '\0' ? g_strdup_printf ("%s <%s>", name, ms_contact_get_email (contact))
                                         : g_strdup (ms_contact_get_email (contact));
  }
  gtk_label_set_text (self->subject_label, self->subject != NULL && self->subject[0] != '\0'
                                           ? self->subject : _("(no subject)"));
  /* Nothing was rendered: no subject to show, only whom it failed for. */
  gtk_widget_set_visible (GTK_WIDGET (self->subject_label), job->error == NULL);
  set_header_label (self->from_label, job->from != NULL ? g_strdup_printf (_("From: %s"), job->from) : NULL);
  set_header_label (self->to_label, g_strdup_printf (_("To: %s"), to));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), self->text != NULL ? self->text : "", -1);

  /* A text-only template has no HTML part to show; an error says nothing about it. */
  if (job->error == NULL && (self->html != NULL) != gtk_widget_get_visible (self->switcher))
    {
      gtk_widget_set_visible (self->switcher, self->html != NULL);
      gtk_toggle_button_set_active (self->html != NULL ? self->html_button : self->text_button, TRUE);
    }

  if (self->html != NULL)
    {
      self->loading = TRUE;
      webkit_web_view_load_html (self->web_view, self->html, "about:blank");
    }
  else if (job->error != NULL)
    {
      self->loading = TRUE;
      webkit_web_view_load_html (self->web_view, "", "about:blank");
    }
  update_busy (self);
}

static MsContact *
current_contact (MsTemplatePreview *self)
{
  return self->contacts != NULL ? gtk_drop_down_get_selected_item (self->contact_dropdown) : NULL;
}

static void
render_now (MsTemplatePreview *self)
{
  g_autoptr(GTask) task = NULL;
  MsContact *contact = current_contact (self);
  RenderJob *job;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->tmpl == NULL || contact == NULL)
    {
      update_busy (self);
      return;
    }
  self->generation++;
  if (self->rendering)
    {
      /* One render at a time: the newest runs when this one ends. */
      update_busy (self);
      return;
    }

  job = g_new0 (RenderJob, 1);
  job->tmpl = ms_template_copy (self->tmpl);
  job->contact = g_object_ref (contact);
  job->custom_fields = g_strdupv (self->custom_fields);
  job->servers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; self->servers != NULL && i < self->servers->len; i++)
    g_ptr_array_add (job->servers, ms_server_copy (g_ptr_array_index (self->servers, i)));
  job->generation = self->generation;

  self->rendering = TRUE;
  task = g_task_new (self, self->cancellable, on_rendered_cb, NULL);
  g_task_set_source_tag (task, render_now);
  g_task_set_task_data (task, job, render_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, render_worker);
  update_busy (self);
}

static void
on_render_timeout_cb (gpointer data)
{
  MsTemplatePreview *self = data;

  self->timeout_id = 0;
  render_now (self);
}

static void
schedule_render (MsTemplatePreview *self,
                 gboolean           at_once)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (at_once)
    render_now (self);
  else
    self->timeout_id = g_timeout_add_once (RENDER_DELAY_MS, on_render_timeout_cb, self);
  update_busy (self);
}

static void
on_part_toggled_cb (MsTemplatePreview *self)
{
  gtk_stack_set_visible_child_name (self->stack, gtk_toggle_button_get_active (self->html_button) ? "html" : "text");
}

static void
on_contact_selected_cb (MsTemplatePreview *self)
{
  schedule_render (self, TRUE);
}

/* The contact drop-down shows "Name <address>". */
static char *
contact_label (MsContact *contact)
{
  g_autofree char *name = NULL;

  if (contact == NULL)
    return g_strdup ("");
  name = ms_contact_dup_display_name (contact);
  if (name == NULL || name[0] == '\0')
    return g_strdup (ms_contact_get_email (contact));
  return g_strdup_printf ("%s <%s>", name, ms_contact_get_email (contact));
}

static void
on_contact_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  if (GPOINTER_TO_INT (ellipsize))
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
on_contact_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  g_autofree char *text = contact_label (gtk_list_item_get_item (item));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

/* The button shows the contact shortened to fit; the list shows it whole. */
static GtkListItemFactory *
contact_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (on_contact_setup_cb), GINT_TO_POINTER (ellipsize));
  g_signal_connect (factory, "bind", G_CALLBACK (on_contact_bind_cb), NULL);
  return factory;
}

/* GObject */

static void
ms_template_preview_dispose (GObject *object)
{
  MsTemplatePreview *self = MS_TEMPLATE_PREVIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_TEMPLATE_PREVIEW);
  self->web_view = NULL;
  g_clear_object (&self->contacts);
  g_clear_object (&self->tmpl);
  g_clear_pointer (&self->servers, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_template_preview_parent_class)->dispose (object);
}

static void
ms_template_preview_finalize (GObject *object)
{
  MsTemplatePreview *self = MS_TEMPLATE_PREVIEW (object);

  g_clear_object (&self->cancellable);
  g_strfreev (self->custom_fields);
  g_free (self->html);
  g_free (self->text);
  g_free (self->subject);
  g_free (self->error);

  G_OBJECT_CLASS (ms_template_preview_parent_class)->finalize (object);
}

static void
ms_template_preview_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsTemplatePreview *self = MS_TEMPLATE_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_template_preview_class_init (MsTemplatePreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_template_preview_dispose;
  object_class->finalize = ms_template_preview_finalize;
  object_class->get_property = ms_template_preview_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-template-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, contact_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, switcher);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, html_button);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, text_button);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, subject_label);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, from_label);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, to_label);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, error_label);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, findings_list);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, stack);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, web_frame);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatePreview, text_view);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_part_toggled_cb);
}

static void
ms_template_preview_init (MsTemplatePreview *self)
{
  g_autoptr(GtkExpression) expression = NULL;
  g_autoptr(GtkListItemFactory) button_factory = contact_factory (TRUE);
  g_autoptr(GtkListItemFactory) list_factory = contact_factory (FALSE);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (contact_label), NULL, NULL);
  gtk_drop_down_set_expression (self->contact_dropdown, expression);
  gtk_drop_down_set_factory (self->contact_dropdown, button_factory);
  gtk_drop_down_set_list_factory (self->contact_dropdown, list_factory);
  create_web_view (self);
  gtk_widget_set_visible (GTK_WIDGET (self->from_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->to_label), FALSE);
}

/* Public API */

void
ms_template_preview_set_contacts (MsTemplatePreview *self,
                                  GListModel        *contacts)
{
  g_autofree char *email = NULL;
  MsContact *contact;

  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));
  g_return_if_fail (contacts == NULL || G_IS_LIST_MODEL (contacts));

  /* The contact chosen stays chosen when the list is read again. */
  contact = current_contact (self);
  email = contact != NULL ? g_strdup (ms_contact_get_email (contact)) : NULL;
  g_set_object (&self->contacts, contacts);
  g_signal_handlers_block_by_func (self->contact_dropdown, on_contact_selected_cb, self);
  gtk_drop_down_set_model (self->contact_dropdown, contacts);
  g_signal_handlers_unblock_by_func (self->contact_dropdown, on_contact_selected_cb, self);
  if (email != NULL)
    ms_template_preview_select_contact (self, email);
  schedule_render (self, TRUE);
}

MsContact *
ms_template_preview_get_contact (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), NULL);

  return current_contact (self);
}

void
ms_template_preview_select_contact (MsTemplatePreview *self,
                                    const char        *email)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));
  g_return_if_fail (email != NULL);

  for (guint i = 0; self->contacts != NULL && i < g_list_model_get_n_items (self->contacts); i++)
    {
      g_autoptr(MsContact) contact = g_list_model_get_item (self->contacts, i);

      if (g_ascii_strcasecmp (ms_contact_get_email (contact), email) == 0)
        {
          gtk_drop_down_set_selected (self->contact_dropdown, i);
          return;
        }
    }
}

void
ms_template_preview_set_custom_fields (MsTemplatePreview  *self,
                                       const char * const *names)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));

  g_strfreev (self->custom_fields);
  self->custom_fields = g_strdupv ((GStrv) names);
  schedule_render (self, TRUE);
}

void
ms_template_preview_set_servers (MsTemplatePreview *self,
                                 GPtrArray         *servers)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));

  g_clear_pointer (&self->servers, g_ptr_array_unref);
  if (servers != NULL)
    self->servers = g_ptr_array_ref (servers);
  schedule_render (self, TRUE);
}

void
ms_template_preview_update (MsTemplatePreview *self,
                            MsTemplate        *tmpl,
                            gboolean           at_once)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));
  g_return_if_fail (MS_IS_TEMPLATE (tmpl));

  g_clear_object (&self->tmpl);
  self->tmpl = ms_template_copy (tmpl);
  schedule_render (self, at_once);
}

void
ms_template_preview_clear (MsTemplatePreview *self)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));

  g_clear_object (&self->tmpl);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->generation++;
  g_clear_pointer (&self->html, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->subject, g_free);
  show_error (self, NULL);
  clear_findings (self);
  update_busy (self);
}

gboolean
ms_template_preview_get_busy (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), FALSE);

  return self->busy;
}

const char *
ms_template_preview_get_html (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), NULL);

  return self->html;
}

const char *
ms_template_preview_get_text (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), NULL);

  return self->text;
}

const char *
ms_template_preview_get_subject (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), NULL);

  return self->subject;
}

const char *
ms_template_preview_get_error (MsTemplatePreview *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_PREVIEW (self), NULL);

  return self->error;
}

void
ms_template_preview_show_part (MsTemplatePreview *self,
                               const char        *part)
{
  g_return_if_fail (MS_IS_TEMPLATE_PREVIEW (self));
  g_return_if_fail (g_strcmp0 (part, "html") == 0 || g_strcmp0 (part, "text") == 0);

  gtk_toggle_button_set_active (g_str_equal (part, "html") ? self->html_button : self->text_button, TRUE);
}
