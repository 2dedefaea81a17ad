;;; e2e.el --- End-to-end test of s3policy.el with Eglot -*- lexical-binding: t; -*-

;; S3POLICY_LSP=/path/to/s3policy-lsp emacs --batch -l editors/emacs/test/e2e.el
;;
;; Without S3POLICY_LSP the server is built from this repository. It opens a
;; copy of a policy with "Version": "2008-10-17", waits for Eglot to connect
;; and publish, checks the missing-version diagnostic, its hover and its
;; quick fix, that Terraform and CloudFormation buffers get the server and
;; other YAML does not, that a policy template gets it with the finding,
;; hover and quick fix of an unsaved edit, and exits non-zero on any failure.

;;; Code:

(require 'cl-lib)

(defconst e2e-timeout 15 "Seconds to wait for the server each time.")
(defconst e2e-repo
  (file-name-directory (directory-file-name (file-name-directory (directory-file-name
    (file-name-directory (directory-file-name (file-name-directory load-file-name))))))))

(add-to-list 'load-path (expand-file-name "editors/emacs" e2e-repo))
(require 's3policy)

(defvar e2e-passed 0)
(defvar e2e-failed 0)

(defun e2e-finish ()
  (princ (format "%d passed, %d failed\n" e2e-passed e2e-failed))
  (kill-emacs (if (zerop e2e-failed) 0 1)))

(defmacro e2e-step (name &rest body)
  "Run BODY as the step NAME; a failed step ends the test."
  (declare (indent 1))
  `(condition-case err
       (progn ,@body
              (cl-incf e2e-passed)
              (princ (format "ok - %s\n" ,name)))
     (error
      (cl-incf e2e-failed)
      (princ (format "not ok - %s: %s\n" ,name (error-message-string err)))
      (e2e-finish))))

(defun e2e-wait (what pred)
  "Let Emacs process server output until PRED holds, or fail naming WHAT."
  (or (with-timeout (e2e-timeout nil)
        (while (not (funcall pred))
          (accept-process-output nil 0.05))
        t)
      (error "Timed out after %ss waiting for %s" e2e-timeout what)))

(defun e2e-equal (want got what)
  (unless (equal want got)
    (error "%s: want %S, got %S" what want got)))

(defun e2e-visit (dir name text want)
  "Write TEXT to NAME in DIR and visit it: Eglot manages it if and only if WANT.
Return its buffer."
  (let ((path (expand-file-name name dir)))
    (with-temp-file path (insert text))
    (with-current-buffer (find-file-noselect path)
      (run-hooks 'post-command-hook)
      (when want
        (e2e-wait (concat "Eglot to manage " name) (lambda () (bound-and-true-p eglot--managed-mode))))
      (e2e-equal want (s3policy-policy-buffer-p) (concat name ": policy-buffer-p"))
      (e2e-equal want (bound-and-true-p eglot--managed-mode) (concat name ": managed"))
      (current-buffer))))

(defun e2e-missing-version ()
  "The missing-version diagnostics Eglot has for the current buffer, as LSP."
  (flymake-start)
  (cl-loop for d in (flymake-diagnostics)
           for lsp = (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))
           when (equal (plist-get lsp :code) "missing-version") collect lsp))

(let* ((work (make-temp-file "s3policy-emacs-test-" t))
       (bin (or (getenv "S3POLICY_LSP") "")))
  (when (string-empty-p bin)
    (setq bin (expand-file-name "s3policy-lsp" work))
    (let ((default-directory e2e-repo))
      (unless (zerop (call-process "go" nil nil nil "build" "-o" bin "./cmd/s3policy-lsp"))
        (error "Could not build the server"))))
  (setq s3policy-command (list bin "serve"))
  (s3policy-setup)
  (let ((file (expand-file-name "e2e.bucket-policy.json" work))
        diag)
    (copy-file (expand-file-name "editors/testdata/old-version.bucket-policy.json" e2e-repo) file)
    (e2e-step "Eglot connects to s3policy-lsp for the policy buffer"
      (find-file file)
      ;; eglot-ensure connects after the command that opened the file.
      (run-hooks 'post-command-hook)
      (e2e-wait "Eglot to manage the buffer" (lambda () (bound-and-true-p eglot--managed-mode)))
      (e2e-equal (list bin "serve") (process-command (jsonrpc--process (eglot-current-server)))
                 "server command"))

    (e2e-step "missing-version is published on the Version value"
      (e2e-wait "a missing-version diagnostic" (lambda () (e2e-missing-version)))
      (let ((found (e2e-missing-version)))
        (e2e-equal 1 (length found) "number of missing-version diagnostics")
        (setq diag (car found))
        (e2e-equal '(1 13 1 25)
                   (let ((r (plist-get diag :range)))
                     (list (plist-get (plist-get r :start) :line) (plist-get (plist-get r :start) :character)
                           (plist-get (plist-get r :end) :line) (plist-get (plist-get r :end) :character)))
                   "range (0-based line, character)")
        (e2e-equal 2 (plist-get diag :severity) "severity")
        (e2e-equal "s3policy-lsp" (plist-get diag :source) "source")))

    (e2e-step "hover explains the finding"
      (goto-char (point-min))
      (forward-line 1)
      (forward-char 16)
      (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                     (eglot--TextDocumentPositionParams)))
             (text (plist-get (plist-get hover :contents) :value)))
        ;; The explanation, not the message again: the diagnostic shows that.
        (unless (and text (string-search "(`missing-version`)" text)
                     (string-search "policy variables" text)
                     (not (string-search "is not 2012-10-17" text)))
          (error "Hover text: %S" text))))

    (e2e-step "the quick fix sets Version to 2012-10-17 and the diagnostic clears"
      (let* ((actions (eglot-code-actions (point) (point) "quickfix"))
             (fix (cl-find "Set Version to 2012-10-17" actions
                           :key (lambda (a) (plist-get a :title)) :test #'equal)))
        (unless fix (error "No quick fix among %S" actions))
        (eglot--apply-workspace-edit (plist-get fix :edit))
        (e2e-equal "  \"Version\": \"2012-10-17\","
                   (save-excursion (goto-char (point-min)) (forward-line 1)
                                   (buffer-substring-no-properties (point) (line-end-position)))
                   "line 2 after the fix")
        (eglot--signal-textDocument/didChange)
        (e2e-wait "the missing-version diagnostic to clear" (lambda () (null (e2e-missing-version))))))

    ;; Eglot serves every buffer of a managed major mode in the same project,
    ;; so the plain file lives in a project of its own.
    (e2e-step "a JSON file that is not a policy gets no server"
      (let ((plain (expand-file-name "settings.json" (make-temp-file "s3policy-emacs-plain-" t))))
        (with-temp-file plain (insert "{\"editor.tabSize\": 2}\n"))
        (with-current-buffer (find-file-noselect plain)
          (run-hooks 'post-command-hook)
          (e2e-equal nil (s3policy-policy-buffer-p) "policy-buffer-p")
          (e2e-equal nil (bound-and-true-p eglot--managed-mode) "managed"))))

    ;; Emacs 28 has no Terraform or YAML mode: stand-ins, as the packages
    ;; terraform-mode and yaml-mode would be.
    (unless (fboundp 'terraform-mode) (define-derived-mode terraform-mode prog-mode "Terraform"))
    (unless (fboundp 'yaml-mode) (define-derived-mode yaml-mode text-mode "YAML"))
    (add-to-list 'auto-mode-alist '("\\.tf\\'" . terraform-mode))
    (add-to-list 'auto-mode-alist '("\\.ya?ml\\'" . yaml-mode))
    (e2e-step "Terraform and CloudFormation buffers get the server; other YAML does not"
      (let ((templates (make-temp-file "s3policy-emacs-templates-" t))
            (other (make-temp-file "s3policy-emacs-yaml-" t)))
        (dolist (file `((,templates "main.tf" "resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"b\"\n}\n" t)
                        (,templates "data.tf.json" "{\"data\": {\"aws_iam_policy_document\": {\"d\": {\"statement\": []}}}}\n" t)
                        (,templates "template.yaml" "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {}\n" t)
                        (,other "ci.yml" "jobs:\n  build:\n    runs-on: ubuntu-latest\n" nil)))
          (pcase-let ((`(,dir ,name ,text ,want) file))
            (with-current-buffer (e2e-visit dir name text want)
              (when want
                (eglot-shutdown (eglot-current-server) nil e2e-timeout)))))))

    ;; Policy templates open in fundamental-mode in Emacs 28: those that are
    ;; policies get `s3policy-template-mode' and the server. The template's
    ;; Version is right on disk and wrong only in the buffer, never saved.
    (e2e-step "a policy template gets the server: an unsaved edit gets its finding, hover and quick fix"
      (let* ((dir (make-temp-file "s3policy-emacs-tpl-" t))
             (tpl (expand-file-name "bucket.bucket-policy.json.tpl" dir))
             (text (with-temp-buffer
                     (insert-file-contents
                      (expand-file-name "editors/testdata/old-version.bucket-policy.json.tpl" e2e-repo))
                     (buffer-string)))
             server)
        (with-temp-file tpl (insert (replace-regexp-in-string "2008-10-17" "2012-10-17" text)))
        (with-current-buffer (find-file-noselect tpl)
          (run-hooks 'post-command-hook)
          (e2e-wait "Eglot to manage the template" (lambda () (bound-and-true-p eglot--managed-mode)))
          (e2e-equal 's3policy-template-mode major-mode "major mode")
          (setq server (eglot-current-server))
          (goto-char (point-min))
          (forward-line 1)
          (delete-region (point) (line-end-position))
          (insert "  \"Version\": \"2008-10-17\",")
          (eglot--signal-textDocument/didChange)
          (e2e-wait "a missing-version diagnostic on the unsaved edit" (lambda () (e2e-missing-version)))
          (let* ((found (e2e-missing-version))
                 (r (plist-get (car found) :range)))
            (e2e-equal 1 (length found) "number of missing-version diagnostics")
            (e2e-equal '(1 13 1 25)
                       (list (plist-get (plist-get r :start) :line) (plist-get (plist-get r :start) :character)
                             (plist-get (plist-get r :end) :line) (plist-get (plist-get r :end) :character))
                       "range (0-based line, character)"))
          ;; The ${...} placeholders are unknown values, not findings.
          (e2e-equal '("missing-version")
                     (mapcar (lambda (d) (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) :code))
                             (flymake-diagnostics))
                     "codes")
          (goto-char (point-min))
          (forward-line 1)
          (forward-char 16)
          (let ((hover (plist-get (plist-get (jsonrpc-request server :textDocument/hover
                                                              (eglot--TextDocumentPositionParams))
                                             :contents)
                                  :value)))
            (unless (and hover (string-search "(`missing-version`)" hover))
              (error "Hover text: %S" hover)))
          (let* ((actions (eglot-code-actions (point) (point) "quickfix"))
                 (fix (cl-find "Set Version to 2012-10-17" actions
                               :key (lambda (a) (plist-get a :title)) :test #'equal)))
            (unless fix (error "No quick fix among %S" actions))
            (eglot--apply-workspace-edit (plist-get fix :edit))
            (eglot--signal-textDocument/didChange)
            (e2e-wait "the missing-version diagnostic to clear" (lambda () (null (e2e-missing-version)))))
          (e2e-equal t (buffer-modified-p) "never saved"))
        (let ((policy (concat "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
                              "\"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::${bucket}/*\", "
                              "\"Principal\": {\"AWS\": \"${reader}\"}}]}\n")))
          (dolist (file `(("reader.tftpl" ,policy t) ("reader.json.j2" ,policy t) ("reader.tmpl" ,policy t)
                          ("page.tpl" "<h1>{$title}</h1>\n" nil)))
            (pcase-let ((`(,name ,contents ,want) file))
              (with-current-buffer (e2e-visit dir name contents want)
                (e2e-equal (if want 's3policy-template-mode 'fundamental-mode) major-mode (concat name ": major mode"))
                (when want
                  (e2e-equal server (eglot-current-server) (concat name ": the template's server")))))))
        (eglot-shutdown server nil e2e-timeout)))

    (e2e-step "the server shuts down"
      (let ((server (eglot-current-server)))
        (eglot-shutdown server nil e2e-timeout)
        (e2e-equal nil (process-live-p (jsonrpc--process server)) "server process alive")))
    (e2e-finish)))

;;; e2e.el ends here
