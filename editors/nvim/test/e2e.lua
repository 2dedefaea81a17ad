-- End-to-end test of the Neovim integration against the real server:
--
--   S3POLICY_LSP=/path/to/s3policy-lsp nvim --headless -u NONE -c "luafile editors/nvim/test/e2e.lua"
--
-- Without S3POLICY_LSP the server is built from this repository. It opens a
-- copy of a policy with "Version": "2008-10-17", waits for the client to
-- attach and publish, checks the missing-version diagnostic, its hover and
-- its quick fix; then what setup{} sets up (K, omnifunc and completion of
-- "s3:GetOb, {} for no settings), one client for a repository with nested
-- .s3policy.json files, a code lens whose answer floats and links to the
-- statement, the explain prompt offering what .s3policy.json names,
-- Terraform and CloudFormation files attached, policy templates attached
-- by name with the finding of an unsaved edit, and no ERROR in the LSP
-- log. It exits non-zero on any failure.
local TIMEOUT_MS = 15000

local script = debug.getinfo(1, 'S').source:sub(2)
local repo = vim.fn.fnamemodify(script, ':p:h:h:h:h')
local passed, failed, skipped = 0, 0, 0

local function out(line)
  io.stdout:write(line .. '\n')
end

local function finish()
  out(('%d passed, %d failed, %d skipped'):format(passed, failed, skipped))
  os.exit(failed == 0 and 0 or 1)
end

-- step runs one named part of the scenario; a failed step ends the test,
-- since every later step builds on it. fn returns a reason to skip, if any.
local function step(name, fn)
  local ok, err = pcall(fn)
  if ok and err then
    skipped = skipped + 1
    out(('ok - %s # SKIP %s'):format(name, err))
  elseif ok then
    passed = passed + 1
    out('ok - ' .. name)
  else
    failed = failed + 1
    out('not ok - ' .. name .. ': ' .. tostring(err))
    finish()
  end
end

local function eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(('%s: want %s, got %s'):format(what, vim.inspect(want), vim.inspect(got)), 2)
  end
end

local function wait_for(what, cond)
  if not vim.wait(TIMEOUT_MS, cond, 20) then
    error(('timed out after %d ms waiting for %s'):format(TIMEOUT_MS, what), 2)
  end
end

local function missing_version(bufnr)
  return vim.tbl_filter(function(d)
    return d.code == 'missing-version'
  end, vim.diagnostic.get(bufnr))
end

local bin = os.getenv('S3POLICY_LSP') or ''
local work = vim.fn.tempname()
vim.fn.mkdir(work, 'p')
if bin == '' then
  bin = work .. '/s3policy-lsp'
  local log = vim.fn.system(('cd %s && go build -o %s ./cmd/s3policy-lsp'):format(vim.fn.shellescape(repo), vim.fn.shellescape(bin)))
  if vim.v.shell_error ~= 0 then
    out('not ok - build the server: ' .. log)
    failed = 1
    finish()
  end
end

-- The LSP log as it was before the test: what the test adds must hold no
-- ERROR (0.7 logs the server's stderr as ERROR, and its own failures).
local log_path = vim.lsp.get_log_path()
local log_start = vim.fn.getfsize(log_path)
if log_start < 0 then
  log_start = 0
end

vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.cmd('filetype on')
local s3policy = require('s3policy')
-- A starved CI machine may answer a completion later than the 2 s a user
-- waits at most: the test waits as long as its other waits do.
s3policy.setup({ cmd = { bin, 'serve' }, completion_timeout_ms = TIMEOUT_MS })

local file = work .. '/e2e.bucket-policy.json'
vim.fn.writefile(vim.fn.readfile(repo .. '/editors/testdata/old-version.bucket-policy.json'), file)
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client

step('the client attaches to the policy buffer', function()
  eq('json', vim.bo[buf].filetype, 'filetype')
  wait_for('the client to attach', function()
    client = vim.tbl_values(vim.lsp.buf_get_clients(buf))[1]
    return client ~= nil and client.initialized
  end)
  eq('s3policy', client.name, 'client name')
end)

step('setup{} maps K to hover, sets omnifunc, and sends {} for no settings', function()
  wait_for('the buffer set up', function()
    return vim.bo[buf].omnifunc ~= ''
  end)
  eq("v:lua.require's3policy'.omnifunc", vim.bo[buf].omnifunc, 'omnifunc')
  local k = vim.fn.maparg('K', 'n', false, true)
  eq(1, k.buffer, 'K is mapped in the buffer')
  eq('{}', vim.fn.json_encode(client.config.init_options), 'initializationOptions')
end)

local diagnostic
step('missing-version is published on the Version value', function()
  wait_for('a missing-version diagnostic', function()
    return #missing_version(buf) > 0
  end)
  local found = missing_version(buf)
  eq(1, #found, 'number of missing-version diagnostics')
  diagnostic = found[1]
  -- Line 2 of the file, columns of "2008-10-17" with its quotes (0-based).
  eq({ 1, 13, 1, 25 }, { diagnostic.lnum, diagnostic.col, diagnostic.end_lnum, diagnostic.end_col }, 'range')
  eq(vim.diagnostic.severity.WARN, diagnostic.severity, 'severity')
  eq('s3policy-lsp', diagnostic.source, 'source')
  if not vim.startswith(diagnostic.message, 'Version "2008-10-17" is not 2012-10-17') then
    error('message: ' .. diagnostic.message)
  end
end)

step('hover explains the finding', function()
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 1, character = 16 } }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, TIMEOUT_MS)
  local hover = responses and responses[client.id] and responses[client.id].result
  if not hover then
    error('no hover: ' .. vim.inspect(responses))
  end
  eq('markdown', hover.contents.kind, 'hover kind')
  -- The explanation, not the message again: the diagnostic shows that.
  local text = hover.contents.value
  if not text:find('(`missing-version`)', 1, true) or not text:find('policy variables', 1, true)
    or text:find(diagnostic.message, 1, true) then
    error('hover text: ' .. text)
  end
end)

-- code_action runs vim.lsp.buf.code_action() with the cursor at the start
-- of line (outside the diagnostic, as after :N: 0.7 sends the line's
-- diagnostics, whose fixes the server offers) and picks from the menu the
-- action whose title matches; it returns that action.
local function code_action(line, matches, what)
  local offered, chosen = {}, nil
  local select = vim.ui.select
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      local action = item.action or item[2] -- {client_id, action} on 0.7
      table.insert(offered, action.title)
      if matches(action.title) then
        chosen = action
        return on_choice(item)
      end
    end
    on_choice(nil)
  end
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  local ok, err = pcall(function()
    vim.lsp.buf.code_action()
    wait_for('the code action menu', function()
      return #offered > 0
    end)
  end)
  vim.ui.select = select
  if not ok then
    error(err, 0)
  end
  if not chosen then
    error(('no %s among %s'):format(what, vim.inspect(offered)), 0)
  end
  return chosen
end

-- As a user does it: the cursor on the value's line, vim.lsp.buf.code_action(),
-- and the quick fix chosen from the menu (vim.ui.select).
step('the quick fix sets Version to 2012-10-17 and the diagnostic clears', function()
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local chosen = code_action(diagnostic.lnum + 1, function(title)
    return title == 'Set Version to 2012-10-17'
  end, '"Set Version to 2012-10-17"')
  eq('quickfix', chosen.kind, 'action kind')
  local want = '  "Version": "2012-10-17",'
  wait_for('the fix to change line 2', function()
    return vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1] == want
  end)
  local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  before[2] = want
  eq(before, after, 'the buffer after the fix')
  wait_for('the missing-version diagnostic to clear', function()
    return #missing_version(buf) == 0
  end)
end)

step(':S3PolicyExplain answers when the server offers s3policy.explain', function()
  local offered = ((client.server_capabilities or {}).executeCommandProvider or {}).commands or {}
  if not vim.tbl_contains(offered, 's3policy.explain') then
    return 'the server does not offer s3policy.explain yet'
  end
  vim.cmd('S3PolicyExplain arn:aws:iam::444455556666:role/reader s3:GetObject arn:aws:s3:::example-bucket/reports/2026.csv')
  local shown
  wait_for('the explain window', function()
    shown = vim.b.s3policy_explain and vim.api.nvim_buf_get_lines(0, 0, -1, false)
    return shown
  end)
  eq('arn:aws:iam::444455556666:role/reader -> s3:GetObject on arn:aws:s3:::example-bucket/reports/2026.csv', shown[1], 'first line')
  if not shown[2]:match('^Decision: %a+') then
    error('second line: ' .. shown[2])
  end
  vim.cmd('close')
end)

step('a JSON file that is not a policy gets no client', function()
  local plain = work .. '/settings.json'
  vim.fn.writefile({ '{"editor.tabSize": 2}' }, plain)
  vim.cmd('edit ' .. vim.fn.fnameescape(plain))
  eq('json', vim.bo.filetype, 'filetype')
  eq({}, vim.lsp.buf_get_clients(0), 'clients of the plain JSON buffer')
  vim.cmd('buffer ' .. buf)
end)

step('a new JSON file joins once a policy is written into it', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(work .. '/later.json'))
  eq({}, vim.lsp.buf_get_clients(0), 'clients before the write')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { '{"Version": "2012-10-17", "Statement": []}' })
  vim.cmd('silent write')
  eq(true, vim.lsp.buf_is_attached(0, client.id), 'attached after the write')
  vim.cmd('buffer ' .. buf)
end)

step('settings from setup() reach the server: Japanese, missing-version as an error', function()
  local other = vim.fn.tempname()
  vim.fn.mkdir(other, 'p')
  local ja = other .. '/ja.bucket-policy.json'
  vim.fn.writefile(vim.fn.readfile(repo .. '/editors/testdata/old-version.bucket-policy.json'), ja)
  s3policy.setup({ cmd = { bin, 'serve' }, completion_timeout_ms = TIMEOUT_MS, settings = { locale = 'ja', severity = { ['missing-version'] = 'error' } } })
  vim.cmd('edit ' .. vim.fn.fnameescape(ja))
  local ja_buf = vim.api.nvim_get_current_buf()
  wait_for('a missing-version diagnostic in Japanese', function()
    return #missing_version(ja_buf) > 0
  end)
  local d = missing_version(ja_buf)[1]
  eq(vim.diagnostic.severity.ERROR, d.severity, 'severity')
  if not vim.startswith(d.message, 'Version "2008-10-17" は 2012-10-17 ではありません') then
    error('message: ' .. d.message)
  end
  vim.cmd('buffer ' .. buf)
end)

-- complete types text after the cursor's line end and completes it with
-- <C-x><C-o> as a user does, taking the first match.
local function complete(bufnr, before)
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, before)
  vim.api.nvim_win_set_cursor(0, { #before, #before[#before] })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('A<C-x><C-o><Esc>', true, false, true), 'x', false)
  return vim.api.nvim_buf_get_lines(bufnr, #before - 1, #before, false)[1]
end

step('completion through omnifunc: "s3:GetOb and "aws:Sec (0.7\'s ":" is no keyword character)', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(work .. '/complete.iam-policy.json'))
  local b = vim.api.nvim_get_current_buf()
  wait_for('the client to attach', function()
    return vim.lsp.buf_is_attached(b, client.id) and vim.bo[b].omnifunc ~= ''
  end)
  local head = { '{', '  "Version": "2012-10-17",', '  "Statement": [{', '    "Effect": "Allow",' }
  local action = complete(b, vim.list_extend(vim.deepcopy(head), { '    "Action": "s3:GetOb' }))
  eq('    "Action": "s3:GetObject', action, 'the completed action')
  local key = complete(b, vim.list_extend(vim.deepcopy(head), {
    '    "Action": "s3:GetObject",',
    '    "Condition": {"Bool": {"aws:Sec',
  }))
  eq('    "Condition": {"Bool": {"aws:SecureTransport', key, 'the completed condition key')
  vim.cmd('silent! bwipeout!')
  vim.cmd('buffer ' .. buf)
end)

-- A repository with a .s3policy.json at its top and others nested below,
-- as examples/cross-account has them: one client serves it all.
local repo_dir = vim.fn.tempname() .. '/repo'
local function copy_example(name, to)
  vim.fn.mkdir(to, 'p')
  local from = repo .. '/examples/cross-account/' .. name
  for _, f in ipairs(vim.fn.readdir(from)) do
    vim.fn.writefile(vim.fn.readfile(from .. '/' .. f, 'b'), to .. '/' .. f, 'b')
  end
end
-- 'all' describes the same bucket as 'kms' and comes first: a lens on kms's
-- bucket policy must answer from kms (the server is told the lens's file).
copy_example('all-allowed', repo_dir .. '/all')
copy_example('kms-key-policy', repo_dir .. '/kms')
copy_example('bucket-policy-other-account', repo_dir .. '/other')
vim.fn.writefile({ '{"accounts": ["111122223333"]}' }, repo_dir .. '/.s3policy.json')

local repo_client
step('one client for a repository with nested .s3policy.json files', function()
  vim.o.hidden = true -- both buffers stay loaded, as from 0.10 on
  vim.cmd('edit ' .. vim.fn.fnameescape(repo_dir .. '/other/bucket.bucket-policy.json'))
  local other = vim.api.nvim_get_current_buf()
  vim.cmd('edit ' .. vim.fn.fnameescape(repo_dir .. '/kms/bucket.bucket-policy.json'))
  local kms = vim.api.nvim_get_current_buf()
  wait_for('both buffers attached', function()
    return next(vim.lsp.buf_get_clients(other)) ~= nil and next(vim.lsp.buf_get_clients(kms)) ~= nil
  end)
  repo_client = vim.tbl_values(vim.lsp.buf_get_clients(kms))[1]
  eq({ repo_client.id }, vim.tbl_keys(vim.lsp.buf_get_clients(other)), 'the client of the other folder')
  eq(repo_dir, repo_client.config.root_dir, 'root folder')
  local running = vim.tbl_filter(function(c)
    return c.name == 's3policy' and c.config.root_dir:find(repo_dir, 1, true) == 1
  end, vim.lsp.get_active_clients())
  eq(1, #running, 'clients for the repository')
end)

step('a lens answers: run, its explanation floats, <CR> opens the statement', function()
  local kms = vim.api.nvim_get_current_buf()
  local lenses
  wait_for('lenses without a refresh by hand', function()
    lenses = vim.lsp.codelens.get(kms)
    return #lenses > 0
  end)
  local denied
  for _, lens in ipairs(lenses) do
    if lens.command and lens.command.arguments[1].action == 's3:PutObject' then
      denied = lens
    end
  end
  if not denied then
    error('no lens for s3:PutObject among ' .. vim.inspect(lenses))
  end
  local select = vim.ui.select
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      if item.lens == denied then
        return on_choice(item)
      end
    end
    on_choice(items[1])
  end
  vim.api.nvim_win_set_cursor(0, { denied.range.start.line + 1, 0 })
  local ok, err = pcall(vim.lsp.codelens.run)
  vim.ui.select = select
  if not ok then
    error(err, 0)
  end
  local shown
  wait_for('the floating answer', function()
    shown = vim.b.s3policy_explain and vim.api.nvim_buf_get_lines(0, 0, -1, false)
    return shown
  end)
  eq('editor', vim.api.nvim_win_get_config(0).relative, 'the answer is in a floating window')
  eq('Decision: ImplicitlyDenied (blocked by kms)', shown[2], 'the decision')
  if not (shown[3] or ''):find('key.key-policy.json, line 4', 1, true) then
    error('the cause: ' .. vim.inspect(shown))
  end
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
  eq(repo_dir .. '/kms/key.key-policy.json', vim.api.nvim_buf_get_name(0), 'the file opened')
  eq(4, vim.api.nvim_win_get_cursor(0)[1], 'the line of the statement')
end)

step(':S3PolicyExplain without arguments offers the principals and buckets of .s3policy.json', function()
  local offered = {}
  local answers = { ['Action: '] = 's3:PutObject', ['Object key (empty for the bucket): '] = 'reports/x.csv' }
  local select, input = vim.ui.select, vim.ui.input
  vim.ui.select = function(items, o, on_choice)
    offered[o.prompt] = items
    on_choice(items[1])
  end
  vim.ui.input = function(o, on_confirm)
    local answer = answers[o.prompt]
    if answer == nil then
      answer = o.default or ''
    end
    offered[o.prompt] = o.default or ''
    on_confirm(answer)
  end
  local ok, err = pcall(vim.cmd, 'S3PolicyExplain')
  vim.ui.select, vim.ui.input = select, input
  if not ok then
    error(err, 0)
  end
  eq({ 'arn:aws:iam::111122223333:user/jane', 'other…' }, offered['Principal (ARN)'], 'principals offered')
  eq({ 'shared-data', 'other…' }, offered['Bucket'], 'buckets offered')
  eq('444455556666', offered['Resource account: '], "the bucket's account, offered")
  local shown
  wait_for('the floating answer', function()
    shown = vim.b.s3policy_explain and vim.api.nvim_buf_get_lines(0, 0, -1, false)
    return shown
  end)
  eq('arn:aws:iam::111122223333:user/jane -> s3:PutObject on arn:aws:s3:::shared-data/reports/x.csv', shown[1], 'the request')
  eq('Decision: ImplicitlyDenied (blocked by kms)', shown[2], 'the decision')
  vim.cmd('close')
end)

step("the key policy's fix clears its finding, and the bucket policy's lenses then say ✓", function()
  local key_path = repo_dir .. '/kms/key.key-policy.json'
  vim.cmd('edit ' .. vim.fn.fnameescape(key_path))
  local key = vim.api.nvim_get_current_buf()
  local finding
  wait_for('kms-missing-actions on the key policy', function()
    finding = vim.tbl_filter(function(d)
      return d.code == 'kms-missing-actions'
    end, vim.diagnostic.get(key))[1]
    return finding
  end)
  code_action(finding.lnum + 1, function(title)
    return title:find('kms:GenerateDataKey', 1, true) ~= nil -- the server speaks Japanese by now
  end, 'fix granting kms:GenerateDataKey')
  wait_for('the finding on the key policy to clear', function()
    return #vim.diagnostic.get(key) == 0
  end)
  vim.cmd('silent write')
  vim.cmd('edit ' .. vim.fn.fnameescape(repo_dir .. '/kms/bucket.bucket-policy.json'))
  local bucket = vim.api.nvim_get_current_buf()
  local titles
  wait_for("the bucket policy's lenses to say ✓", function()
    titles = vim.tbl_map(function(l)
      return l.command and l.command.title
    end, vim.lsp.codelens.get(bucket))
    return vim.deep_equal(titles, { 'jane: GetObject ✓', 'jane: PutObject ✓' })
  end)
end)

step("the bucket policy's grant to Jane's account clears the finding on her closed identity policy", function()
  vim.cmd('edit ' .. vim.fn.fnameescape(repo_dir .. '/other/bucket.bucket-policy.json'))
  local bucket = vim.api.nvim_get_current_buf()
  local jane = vim.uri_to_bufnr(vim.uri_from_fname(repo_dir .. '/other/jane.iam-policy.json'))
  local function ungranted(bufnr)
    return vim.tbl_filter(function(d)
      return d.code == 'missing-resource-arn'
    end, vim.diagnostic.get(bufnr))
  end
  local finding
  wait_for('missing-resource-arn on both sides', function()
    finding = ungranted(bucket)[1]
    return finding and #ungranted(jane) > 0
  end)
  code_action(finding.lnum + 1, function(title)
    return title:find('111122223333', 1, true) ~= nil
  end, "fix granting account 111122223333")
  wait_for("the finding on Jane's identity policy to clear", function()
    return #ungranted(bucket) == 0 and #ungranted(jane) == 0
  end)
  vim.cmd('silent write')
end)

step('Terraform and CloudFormation files get the client (and the variable files Terraform loads); other YAML and -var-file files do not', function()
  local files = {
    ['main.tf'] = { 'resource "aws_s3_bucket_policy" "shared" {', '  bucket = "shared-data"', '}' },
    ['template.yaml'] = { 'AWSTemplateFormatVersion: "2010-09-09"', 'Resources: {}' },
    ['serverless.yml'] = { 'service: uploads' },
    ['ci.yml'] = { 'jobs:', '  build:', '    runs-on: ubuntu-latest' },
    ['terraform.tfvars'] = { 'bucket = "shared-data"' },
    ['prod.auto.tfvars'] = { 'bucket = "shared-data"' },
    ['prod.tfvars'] = { 'bucket = "shared-data"' },
  }
  for name, lines in pairs(files) do
    vim.fn.writefile(lines, repo_dir .. '/' .. name)
  end
  for name, want in pairs({ ['main.tf'] = true, ['template.yaml'] = true, ['serverless.yml'] = true, ['ci.yml'] = false,
    ['terraform.tfvars'] = true, ['prod.auto.tfvars'] = true, ['prod.tfvars'] = false }) do
    vim.cmd('edit ' .. vim.fn.fnameescape(repo_dir .. '/' .. name))
    eq(want, vim.lsp.buf_is_attached(0, repo_client.id), name .. ' (' .. vim.bo.filetype .. ') attached')
  end
  vim.cmd('buffer ' .. buf)
end)

-- Neovim 0.7 calls .tpl 'smarty' and .tmpl 'template', and .tftpl and .j2
-- nothing: templates are attached by name. The template's Version is right
-- on disk and wrong in the buffer only, never saved: its finding comes
-- from the edit the client sends.
step('policy templates get the client by name: an unsaved edit gets its finding, hover and quick fix; other templates do not', function()
  local dir = vim.fn.tempname() .. '/modules/s3'
  vim.fn.mkdir(dir, 'p')
  local lines = vim.fn.readfile(repo .. '/editors/testdata/old-version.bucket-policy.json.tpl')
  local saved = vim.deepcopy(lines)
  saved[2] = '  "Version": "2012-10-17",'
  vim.fn.writefile(saved, dir .. '/bucket.bucket-policy.json.tpl')
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/bucket.bucket-policy.json.tpl'))
  local tpl = vim.api.nvim_get_current_buf()
  local tpl_client
  wait_for('the client to attach to the template', function()
    tpl_client = vim.tbl_values(vim.lsp.buf_get_clients(tpl))[1]
    return tpl_client ~= nil and tpl_client.initialized
  end)
  eq('s3policy', tpl_client.name, 'client name')
  eq(dir, tpl_client.config.root_dir, 'root folder')
  vim.api.nvim_buf_set_lines(tpl, 1, 2, false, { lines[2] })
  wait_for('a missing-version diagnostic on the unsaved edit', function()
    return #missing_version(tpl) > 0
  end)
  local found = missing_version(tpl)
  eq(1, #found, 'number of missing-version diagnostics')
  eq({ 1, 13, 1, 25 }, { found[1].lnum, found[1].col, found[1].end_lnum, found[1].end_col }, 'range')
  -- The ${...} placeholders are unknown values, not findings.
  eq({ 'missing-version' }, vim.tbl_map(function(d)
    return d.code
  end, vim.diagnostic.get(tpl)), 'codes')

  local params = { textDocument = { uri = vim.uri_from_bufnr(tpl) }, position = { line = 1, character = 16 } }
  local responses = vim.lsp.buf_request_sync(tpl, 'textDocument/hover', params, TIMEOUT_MS)
  local hover = responses and responses[tpl_client.id] and responses[tpl_client.id].result
  if not (hover and hover.contents.value:find('(`missing-version`)', 1, true)) then
    error('hover: ' .. vim.inspect(responses))
  end

  -- setup() has the Japanese settings of the step above since.
  code_action(2, function(title)
    return title == 'Version を 2012-10-17 にする'
  end, '"Version を 2012-10-17 にする"')
  wait_for('the fix to change line 2', function()
    return vim.api.nvim_buf_get_lines(tpl, 1, 2, false)[1] == saved[2]
  end)
  wait_for('the missing-version diagnostic to clear', function()
    return #missing_version(tpl) == 0
  end)
  eq(true, vim.bo[tpl].modified, 'never saved')

  local statement = { '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",',
    '  "Resource": "arn:aws:s3:::${bucket}/*", "Principal": {"AWS": "${reader}"}}]}' }
  local files = {
    ['reader.tftpl'] = { statement, true },
    ['reader.json.j2'] = { statement, true },
    ['reader.tmpl'] = { statement, true },
    ['page.tpl'] = { { '<h1>{$title}</h1>' }, false },
  }
  for name, file in pairs(files) do
    vim.fn.writefile(file[1], dir .. '/' .. name)
    vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/' .. name))
    eq(file[2], vim.lsp.buf_is_attached(0, tpl_client.id), name .. ' (' .. vim.bo.filetype .. ') attached')
  end
  vim.cmd('buffer ' .. buf)
end)

step('the server shuts down when the client stops', function()
  vim.lsp.stop_client(client.id)
  wait_for('the client to stop', function()
    return client.is_stopped()
  end)
end)

step('no ERROR in the LSP log', function()
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  wait_for('every client to stop', function()
    return #vim.lsp.get_active_clients() == 0
  end)
  local f = io.open(log_path, 'r')
  local added = ''
  if f then
    f:seek('set', log_start)
    added = f:read('*a') or ''
    f:close()
  end
  for line in added:gmatch('[^\n]+') do
    if line:find('[ERROR]', 1, true) then
      error(line)
    end
  end
end)

finish()
