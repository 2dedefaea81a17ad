;;; s3policy.el --- s3policy-lsp for AWS policy JSON through Eglot -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; URL: https://github.com/s3policy-lsp/s3policy-lsp

;;; Commentary:

;; Starts s3policy-lsp with Eglot in JSON buffers that are AWS policies, and
;; adds `s3policy-explain'.
;;
;;   (require 's3policy)
;;   (setq s3policy-settings '(:locale "ja" :disable ["missing-version"]))
;;   (s3policy-setup)
;;
;; Only policy buffers get the server: a policy file-name ending such as
;; ".bucket-policy.json", a .s3policy.json at or above the file, or content
;; that names a "Statement"; Terraform buffers; policy templates
;; (".tpl", ".tftpl", ".tmpl", ".j2") that are policies by the same rules,
;; such as "bucket.bucket-policy.json.tpl": Emacs has no mode for them, and
;; they open in `s3policy-template-mode'; and YAML buffers that are
;; CloudFormation templates or serverless.yml (other YAML gets nothing).
;;
;; Eglot runs one server per buffer: in a Terraform or template buffer,
;; s3policy-lsp takes the place of terraform-ls or yaml-language-server.
;; Set `s3policy-template-modes' to nil to keep those servers there.

;;; Code:

(require 'eglot)
(require 'cl-lib)
(require 'subr-x)

(defgroup s3policy nil
  "Diagnostics for AWS policy JSON from s3policy-lsp."
  :group 'tools
  :prefix "s3policy-")

(defcustom s3policy-command '("s3policy-lsp" "serve")
  "The server program and its arguments."
  :type '(repeat string))

(defcustom s3policy-settings nil
  "Settings sent to the server as initializationOptions, a plist.
:locale \"en\" or \"ja\", :severity (:CODE \"error\"|\"warning\"|...),
:disable [CODES...]."
  :type 'plist)

(defconst s3policy-suffixes
  '(".iam-policy.json" ".bucket-policy.json" ".key-policy.json" ".endpoint-policy.json"
    ".scp.json" ".rcp.json" ".session-policy.json" ".boundary.json" ".trust-policy.json")
  "File-name endings that make a JSON file a policy.")

(defconst s3policy-template-endings '(".tpl" ".tftpl" ".tmpl" ".j2")
  "File-name endings the server reads as policy templates.
Its template reader's (policy.json.tpl, .json.tmpl, .json.j2, .tftpl) and
what Terraform's templatefile() and file() read.")

(defconst s3policy-json-modes '(json-mode js-json-mode json-ts-mode js-mode)
  "Major modes in which JSON is edited; Emacs 28 opens .json in `js-mode'.")

(defconst s3policy-terraform-modes '(terraform-mode hcl-mode terraform-ts-mode hcl-ts-mode)
  "Major modes of Terraform files.")

(defconst s3policy-yaml-modes '(yaml-mode yaml-ts-mode)
  "Major modes of YAML files.")

(defcustom s3policy-template-modes (append s3policy-terraform-modes s3policy-yaml-modes)
  "Terraform and YAML modes in which s3policy-lsp starts.
Eglot runs one server per buffer, so there s3policy-lsp takes the place
of terraform-ls or yaml-language-server; nil keeps those servers."
  :type '(repeat symbol))

(define-derived-mode s3policy-template-mode prog-mode "Policy-Template"
  "Major mode of a policy template (policy.json.tpl, a templatefile() template).
Emacs has none for these endings; `s3policy-setup' gives it to those that
are policies, so that s3policy-lsp gets their unsaved edits."
  (setq-local indent-tabs-mode nil))

(defun s3policy--untemplated (file)
  "FILE (downcased) without its template ending, with .json if it had none.
bucket.bucket-policy.json.tpl and bucket.bucket-policy.tftpl name a bucket
policy. nil when FILE is no template."
  (cl-some (lambda (ending)
             (when (string-suffix-p ending file)
               (let ((name (substring file 0 (- (length ending)))))
                 (if (string-suffix-p ".json" name) name (concat name ".json")))))
           s3policy-template-endings))

(defun s3policy--buffer-matches (regexp)
  "Whether a line of the buffer matches REGEXP."
  (save-excursion
    (save-restriction
      (widen)
      (goto-char (point-min))
      (let ((case-fold-search nil))
        (and (re-search-forward regexp nil t) t)))))

(defun s3policy-template-yaml-p ()
  "Whether the current YAML buffer is a template that can hold policies.
A CloudFormation template (AWSTemplateFormatVersion, or Resources of an
AWS:: type) or a Serverless Framework service file."
  (or (member (downcase (file-name-nondirectory (or buffer-file-name ""))) '("serverless.yml" "serverless.yaml"))
      (s3policy--buffer-matches "^AWSTemplateFormatVersion[ \t]*:")
      (and (s3policy--buffer-matches "^Resources[ \t]*:")
           (s3policy--buffer-matches "^[ \t]+Type[ \t]*:[ \t]*[\"']?AWS::"))))

(defun s3policy-policy-buffer-p ()
  "Whether the current buffer is a policy that s3policy-lsp analyses."
  (let* ((file (or buffer-file-name ""))
         ;; A template goes by the rules of the JSON it writes.
         (name (or (s3policy--untemplated (downcase file)) (downcase file))))
    (cond
     ((memq major-mode s3policy-terraform-modes) t)
     ((memq major-mode s3policy-yaml-modes) (s3policy-template-yaml-p))
     (t
      (or (cl-some (lambda (suffix) (string-suffix-p suffix name)) s3policy-suffixes)
          (and buffer-file-name (string-suffix-p ".json" name)
               (locate-dominating-file file ".s3policy.json") t)
          ;; Terraform's JSON syntax: its policy documents write "statement".
          (string-suffix-p ".tf.json" (downcase file))
          (s3policy--buffer-matches "\"\\(Statement\\|AWSTemplateFormatVersion\\)\""))))))

(defun s3policy--contact ()
  "The Eglot contact for s3policy-lsp with `s3policy-settings'."
  (append s3policy-command
          (list :initializationOptions (or s3policy-settings eglot--{}))))

(defun s3policy--modes ()
  "The major modes whose buffers may hold policies."
  (append s3policy-json-modes '(s3policy-template-mode) s3policy-template-modes))

(defun s3policy--template-file ()
  "Give a policy template opened in `fundamental-mode' `s3policy-template-mode'.
Its hook then starts or joins s3policy-lsp. A template that another
package gives a mode of its own (web-mode for .tpl, jinja2-mode) keeps it."
  (when (and buffer-file-name (eq major-mode 'fundamental-mode)
             (s3policy--untemplated (downcase buffer-file-name))
             (s3policy-policy-buffer-p))
    (s3policy-template-mode)))

(defun s3policy-eglot-ensure ()
  "Start or join s3policy-lsp for the current buffer when it is a policy.
The server is named in this buffer's `eglot-server-programs' only, so that
other JavaScript, JSON, Terraform and YAML buffers keep their own servers.
All the modes share one server per project, as the other editors do."
  (when (and (memq major-mode (s3policy--modes)) (s3policy-policy-buffer-p))
    (setq-local eglot-server-programs
                (cons (cons (s3policy--modes) (s3policy--contact))
                      (default-value 'eglot-server-programs)))
    (eglot-ensure)))

;;;###autoload
(defun s3policy-setup ()
  "Start s3policy-lsp in policy buffers from now on.
JSON policies, policy templates (`s3policy-template-mode'), and the
Terraform and YAML templates of `s3policy-template-modes'."
  (add-hook 'find-file-hook #'s3policy--template-file)
  (dolist (mode (s3policy--modes))
    (add-hook (intern (format "%s-hook" mode)) #'s3policy-eglot-ensure)))

(defun s3policy-explain-request (principal action resource)
  "Ask the server why PRINCIPAL may or may not do ACTION on RESOURCE.
Return its answer, a plist (:decision :blockedBy :causes)."
  (let ((server (eglot--current-server-or-lose)))
    (unless (seq-contains-p (plist-get (eglot--server-capable :executeCommandProvider) :commands)
                            "s3policy.explain")
      (user-error "This version of s3policy-lsp does not offer s3policy.explain"))
    (jsonrpc-request server :workspace/executeCommand
                     (list :command "s3policy.explain"
                           :arguments (vector (list :principal principal :action action
                                                    :resource resource))))))

(defun s3policy-format-explanation (principal action resource answer)
  "Lines for people from the server's ANSWER about PRINCIPAL, ACTION, RESOURCE."
  (let ((blocked (plist-get answer :blockedBy)))
    (concat
     (format "%s -> %s on %s\n" principal action resource)
     (format "Decision: %s%s\n" (plist-get answer :decision)
             ;; blockedBy is a list of layers: identity, resource, kms, ...
             (if (and blocked (> (length blocked) 0))
                 (format " (blocked by %s)" (mapconcat #'identity blocked ", "))
               ""))
     (mapconcat
      (lambda (c)
        (format "  [%s] %s (%s; %s)\n" (plist-get c :layer) (plist-get c :message)
                (plist-get c :code)
                (string-join (delq nil (list (plist-get c :policy)
                                             (when-let ((l (plist-get c :line))) (format "line %s" l))
                                             (when-let ((s (plist-get c :statement)))
                                               (unless (equal s "") (format "statement %s" s)))))
                             ", ")))
      (plist-get answer :causes) ""))))

;;;###autoload
(defun s3policy-explain (principal action resource)
  "Show why PRINCIPAL may or may not do ACTION on RESOURCE."
  (interactive
   (list (read-string "Principal ARN: ") (read-string "Action: ") (read-string "Resource ARN: ")))
  (let ((text (s3policy-format-explanation principal action resource
                                           (s3policy-explain-request principal action resource))))
    (with-current-buffer (get-buffer-create "*s3policy explain*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert text))
      (special-mode)
      (display-buffer (current-buffer)))))

(provide 's3policy)
;;; s3policy.el ends here
