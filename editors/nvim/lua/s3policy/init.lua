-- s3policy-lsp for Neovim's built-in client, from Neovim 0.7 on.
--
--   require('s3policy').setup{
--     cmd = {'s3policy-lsp', 'serve'},       -- the default
--     settings = {locale = 'ja', severity = {['missing-version'] = 'error'}, disable = {}},
--     keymaps = true,                        -- K for hover in policy buffers (the default)
--   }
--
-- It starts one client per repository (the folder of .git, else of the
-- topmost .s3policy.json, else of the file) and attaches it to the buffers
-- that hold policies: policy JSON, Terraform, policy templates
-- (policy.json.tpl, *.tftpl, ...), and CloudFormation or Serverless
-- templates. In those buffers it maps K to hover, sets
-- 'omnifunc', keeps the code lenses fresh, and shows a lens's answer in a
-- floating window when the lens is run (vim.lsp.codelens.run()).
local M = {}

-- File-name endings that make a JSON file a policy (analysis/kind.go).
M.suffixes = {
  '.iam-policy.json',
  '.bucket-policy.json',
  '.key-policy.json',
  '.endpoint-policy.json',
  '.scp.json',
  '.rcp.json',
  '.session-policy.json',
  '.boundary.json',
  '.trust-policy.json',
}

-- The file types whose buffers may hold policies.
-- 'tf' is what 0.7 calls a new, empty .tf file; 'terraform-vars' is a
-- .tfvars file, whose terraform.tfvars and *.auto.tfvars set a module's
-- variables.
M.filetypes = { 'json', 'terraform', 'hcl', 'tf', 'yaml', 'terraform-vars' }

-- The endings the server reads as policy templates: analysis/source/template
-- (policy.json.tpl, .json.tmpl, .json.j2, .tftpl) and what Terraform's
-- templatefile() and file() read. Neovim 0.7 gives them no filetype of their
-- own ('smarty' for .tpl, 'template' for .tmpl, none for .tftpl and .j2):
-- their buffers are attached by file name.
M.template_endings = { '.tpl', '.tftpl', '.tmpl', '.j2' }

local CONFIG_NAME = '.s3policy.json'
local EXPLAIN = 's3policy.explain'
-- How many lines of a buffer are read to tell whether it holds a policy.
local SNIFF_LINES = 2000

local opts = nil
local clients = {} -- root folder -> client id

-- Client methods were closures up to Neovim 0.10 and take self from 0.11 on;
-- these helpers call them the way the running Neovim expects.
local methods_take_self = vim.fn.has('nvim-0.11') == 1

local function is_running(client)
  if methods_take_self then
    return not client:is_stopped()
  end
  return not client.is_stopped()
end

-- call_method calls client.name with the arguments, passing self on 0.11.
local function call_method(client, name, ...)
  if methods_take_self then
    return client[name](client, ...)
  end
  return client[name](...)
end

local function client_request(client, method, params, handler, bufnr)
  return call_method(client, 'request', method, params, handler, bufnr)
end

local function client_request_sync(client, method, params, timeout_ms, bufnr)
  return call_method(client, 'request_sync', method, params, timeout_ms, bufnr)
end

local function buffer_clients(bufnr)
  if vim.lsp.get_clients then -- 0.10 and later
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

local function dir_of(file)
  return vim.fn.fnamemodify(file, ':p:h')
end

local function upward(dir)
  return vim.fn.fnameescape(dir) .. ';'
end

-- config_dir returns the folder of the nearest .s3policy.json at or above
-- the file, or nil.
local function config_dir(file)
  local found = vim.fn.findfile(CONFIG_NAME, upward(dir_of(file)))
  if found == '' then
    return nil
  end
  return vim.fn.fnamemodify(found, ':p:h')
end

-- root_dir is the folder one client serves: the repository (.git is a
-- folder, or a file in a worktree or submodule), else the topmost folder
-- with .s3policy.json, else the file's folder. A nested .s3policy.json is
-- one more workspace of the same client, which the server tells apart.
local function root_dir(file)
  local dir = dir_of(file)
  local git = vim.fn.finddir('.git', upward(dir))
  if git == '' then
    git = vim.fn.findfile('.git', upward(dir))
  end
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h'):gsub('/$', '')
  end
  local configs = vim.fn.findfile(CONFIG_NAME, upward(dir), -1)
  if #configs > 0 then
    return vim.fn.fnamemodify(configs[#configs], ':p:h')
  end
  return dir
end

-- untemplated is a template's name without its template ending, with
-- .json if it had none (bucket.bucket-policy.json.tpl and
-- bucket.bucket-policy.tftpl name a bucket policy), or nil for a file that
-- is no template.
local function untemplated(lower)
  for _, ending in ipairs(M.template_endings) do
    if vim.endswith(lower, ending) then
      local name = lower:sub(1, -#ending - 1)
      return vim.endswith(name, '.json') and name or name .. '.json'
    end
  end
  return nil
end

local function lower_name(bufnr)
  return vim.api.nvim_buf_get_name(bufnr):lower()
end

local function any_line(bufnr, patterns)
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, SNIFF_LINES, false)) do
    for _, pattern in ipairs(patterns) do
      if line:find(pattern) then
        return true
      end
    end
  end
  return false
end

-- is_template_yaml says whether a YAML buffer is a template that can
-- hold policies: a CloudFormation template (AWSTemplateFormatVersion, or
-- Resources of an AWS:: type) or a Serverless Framework service. Other
-- YAML (CI files, Kubernetes manifests, ...) gets no client.
local function is_template_yaml(bufnr)
  local tail = vim.fn.fnamemodify(lower_name(bufnr), ':t')
  if tail == 'serverless.yml' or tail == 'serverless.yaml' then
    return true
  end
  if any_line(bufnr, { '^AWSTemplateFormatVersion%s*:' }) then
    return true
  end
  return any_line(bufnr, { '^Resources%s*:' })
    and any_line(bufnr, { '^%s+Type%s*:%s*["\']?AWS::' })
end

-- is_policy says whether a buffer is one the server analyses: a policy
-- file-name ending, .s3policy.json itself or a file under one, JSON that
-- names a "Statement" or is a CloudFormation template, any Terraform file,
-- the variable files Terraform loads by itself, YAML templates
-- (is_template_yaml), and policy templates by the same rules as JSON (a
-- policy ending before the template's: bucket.bucket-policy.json.tpl).
function M.is_policy(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local lower = name:lower()
  local filetype = vim.bo[bufnr].filetype
  if filetype == 'terraform-vars' or vim.endswith(lower, '.tfvars') or vim.endswith(lower, '.tfvars.json') then
    -- The variable files Terraform loads by itself, read with the module.
    local base = vim.fn.fnamemodify(name, ':t')
    return base == 'terraform.tfvars' or base == 'terraform.tfvars.json' or vim.endswith(base, '.auto.tfvars') or vim.endswith(base, '.auto.tfvars.json')
  end
  if filetype == 'terraform' or filetype == 'hcl' or filetype == 'tf' or vim.endswith(lower, '.tf') or vim.endswith(lower, '.tf.json') then
    return true
  end
  if filetype == 'yaml' or vim.endswith(lower, '.yml') or vim.endswith(lower, '.yaml') then
    return is_template_yaml(bufnr)
  end
  local policy_name = untemplated(lower) or lower
  for _, suffix in ipairs(M.suffixes) do
    if vim.endswith(policy_name, suffix) then
      return true
    end
  end
  if vim.fn.fnamemodify(name, ':t') == CONFIG_NAME or (name ~= '' and config_dir(name)) then
    return true
  end
  return any_line(bufnr, { '"Statement"', '"AWSTemplateFormatVersion"' })
end

-- server_settings gives the server its settings in the shape it reads from
-- initializationOptions and workspace/configuration "s3policy". Empty
-- tables are left out, and no settings are sent as {}: Neovim encodes an
-- empty Lua table as a JSON array.
local function server_settings(settings)
  local out = {}
  for key, value in pairs(settings or {}) do
    if type(value) ~= 'table' or not vim.tbl_isempty(value) then
      out[key] = value
    end
  end
  if out.locale == nil and (vim.v.lang or ''):match('^ja') then
    out.locale = 'ja'
  end
  if vim.tbl_isempty(out) then
    return vim.empty_dict()
  end
  return out
end

-- refresh_lenses asks for the code lenses of one buffer (vim.lsp.codelens.refresh
-- of 0.7 only knows the current buffer).
local function refresh_lenses(bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  for _, client in ipairs(buffer_clients(bufnr)) do
    if client.name == 's3policy' then
      client_request(client, 'textDocument/codeLens', params, function(err, result, ctx)
        ctx = ctx or {}
        ctx.bufnr, ctx.client_id = bufnr, client.id
        vim.lsp.codelens.on_codelens(err, result or {}, ctx)
      end, bufnr)
    end
  end
end

-- format_explanation turns the server's answer into lines for people, and
-- gives, for each line that names a cause, the place to jump to.
function M.format_explanation(request, result)
  -- blockedBy is a list of layers: identity, resource, kms, ...
  local blocked = ''
  if type(result.blockedBy) == 'table' and #result.blockedBy > 0 then
    blocked = ' (blocked by ' .. table.concat(result.blockedBy, ', ') .. ')'
  end
  local lines = {
    ('%s -> %s on %s'):format(request.principal, request.action, request.resource),
    ('Decision: %s%s'):format(result.decision, blocked),
  }
  local places = {}
  for _, c in ipairs(result.causes or {}) do
    local where = { c.policy }
    if c.line and c.line > 0 then
      table.insert(where, 'line ' .. c.line)
    end
    if c.statement then
      table.insert(where, 'statement ' .. c.statement)
    end
    table.insert(lines, ('  [%s] %s (%s; %s)'):format(c.layer, c.message, c.code, table.concat(where, ', ')))
    if c.uri and c.uri ~= '' then
      places[#lines] = { uri = c.uri, line = c.line }
    end
  end
  if next(places) then
    table.insert(lines, '')
    table.insert(lines, '<CR> on a cause opens its statement; q closes')
  end
  return lines, places
end

-- open_place opens a cause's policy at its statement, in the window the
-- answer was asked from.
local function open_place(place, from_win)
  if from_win and vim.api.nvim_win_is_valid(from_win) then
    vim.api.nvim_set_current_win(from_win)
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.uri_to_fname(place.uri)))
  if place.line and place.line > 0 then
    vim.api.nvim_win_set_cursor(0, { math.min(place.line, vim.api.nvim_buf_line_count(0)), 0 })
  end
end

-- show_answer shows lines in a focused floating window; <CR> on a cause
-- jumps to its statement, q or <Esc> closes.
local function show_answer(lines, places)
  local from_win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = 'wipe'
  vim.b[buf].s3policy_explain = true
  local width = 20
  for _, line in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(line))
  end
  width = math.min(width, math.max(20, vim.o.columns - 6))
  local height = math.min(#lines + 2, math.max(3, vim.o.lines - 6))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    row = math.max(0, math.floor((vim.o.lines - height) / 2) - 1),
    col = math.max(0, math.floor((vim.o.columns - width) / 2)),
    width = width,
    height = height,
    style = 'minimal',
    border = 'rounded',
  })
  vim.wo[win].wrap = true
  local function close()
    if vim.api.nvim_win_is_valid(win) then
      vim.api.nvim_win_close(win, true)
    end
  end
  local map = { buffer = buf, nowait = true, silent = true }
  vim.keymap.set('n', 'q', close, map)
  vim.keymap.set('n', '<Esc>', close, map)
  vim.keymap.set('n', '<CR>', function()
    local place = places[vim.api.nvim_win_get_cursor(0)[1]]
    if place then
      close()
      open_place(place, from_win)
    end
  end, map)
  return buf, win
end

-- client_for returns an s3policy client of the buffer, else any running one.
local function client_for(bufnr)
  for _, client in ipairs(buffer_clients(bufnr)) do
    if client.name == 's3policy' then
      return client
    end
  end
  for _, id in pairs(clients) do
    local client = vim.lsp.get_client_by_id(id)
    if client and is_running(client) then
      return client
    end
  end
  return nil
end

-- explain_with asks the client why a request is allowed or denied.
local function explain_with(client, request, on_result, bufnr)
  local offered = ((client.server_capabilities or {}).executeCommandProvider or {}).commands or {}
  if not vim.tbl_contains(offered, EXPLAIN) then
    return on_result('this version of s3policy-lsp does not offer ' .. EXPLAIN)
  end
  -- The second argument names the document asked from: the server answers
  -- from its policies when several folders of the repository describe the
  -- same bucket (as examples/cross-account/* all describe shared-data).
  local arguments = { request }
  local name = bufnr and vim.api.nvim_buf_is_valid(bufnr) and vim.api.nvim_buf_get_name(bufnr) or ''
  if name ~= '' and vim.bo[bufnr].buftype == '' then
    arguments[2] = { uri = vim.uri_from_bufnr(bufnr) }
  end
  client_request(client, 'workspace/executeCommand', { command = EXPLAIN, arguments = arguments }, function(err, result)
    on_result(err and (err.message or vim.inspect(err)) or nil, result)
  end, bufnr)
end

-- explain asks the server why a request is allowed or denied and calls
-- on_result(err, result) with its answer:
-- {decision, blockedBy = {layers}, causes = {{code, layer, policy, uri, statement, line, message}}}.
function M.explain(request, on_result, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return on_result('no s3policy-lsp server is running; open a policy file first')
  end
  explain_with(client, request, on_result, bufnr)
end

local function explain_and_show(client, request, bufnr)
  explain_with(client, request, function(err, result)
    if err then
      vim.notify('s3policy: ' .. err, vim.log.levels.ERROR)
      return
    end
    show_answer(M.format_explanation(request, result))
  end, bufnr)
end

-- run_lens is the client side of the lens command: the server's answer
-- is shown rather than dropped.
local function run_lens(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local request = command.arguments and command.arguments[1]
  if client and type(request) == 'table' then
    explain_and_show(client, request, ctx.bufnr)
  end
end

-- byte_index turns a position's character (in the client's encoding) into
-- a byte index of line; vim.str_byteindex changed its arguments in 0.11.
local function byte_index(line, character, encoding)
  if encoding == 'utf-8' then
    return math.min(character, #line)
  end
  if vim.fn.has('nvim-0.11') == 1 then
    return vim.str_byteindex(line, encoding or 'utf-16', character, false)
  end
  local ok, index = pcall(vim.str_byteindex, line, character, encoding ~= 'utf-32')
  return ok and index or #line
end

-- to_complete_items turns completion items into Vim's complete-items,
-- keeping those that start with prefix; the function moved in 0.10.
local function to_complete_items(items, prefix)
  local convert = vim.lsp.util.text_document_completion_list_to_complete_items
  if vim.lsp.completion and vim.lsp.completion._lsp_to_complete_items then
    convert = vim.lsp.completion._lsp_to_complete_items
  end
  return convert(items, prefix)
end

-- omnifunc is a synchronous 'omnifunc' for policy buffers. Neovim 0.7's
-- vim.lsp.omnifunc starts the completion at the keyword before the cursor,
-- and ':' is no keyword character, so "s3:GetOb found nothing; this one
-- starts where the server's edit starts (inside the string) and filters
-- what the server offered by what is typed from there.
local pending = nil -- the last findstart's items and start, for the second call

function M.omnifunc(findstart, base)
  local bufnr = vim.api.nvim_get_current_buf()
  if findstart == 1 then
    pending = nil
    local client = client_for(bufnr)
    if not client or not vim.lsp.buf_is_attached(bufnr, client.id) then
      return -3
    end
    local cursor = vim.api.nvim_win_get_cursor(0)
    local line = vim.api.nvim_get_current_line()
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local response = client_request_sync(client, 'textDocument/completion', params, opts.completion_timeout_ms, bufnr)
    local result = response and response.result
    local items = type(result) == 'table' and (result.items or result) or {}
    if #items == 0 then
      return -3
    end
    -- The start of the server's edit, else of the keyword before the cursor.
    local start = vim.fn.match(line:sub(1, cursor[2]), '\\k*$')
    local edit = items[1].textEdit
    if edit and edit.range and edit.range.start.line == cursor[1] - 1 then
      start = byte_index(line, edit.range.start.character, client.offset_encoding)
    end
    pending = { items = items }
    return start
  end
  local items = pending and pending.items or {}
  pending = nil
  return to_complete_items(items, base)
end

-- on_buffer_attach sets up a policy buffer: K, 'omnifunc', lenses.
local function on_buffer_attach(client, bufnr)
  if opts.keymaps then
    local mapped = vim.api.nvim_buf_call(bufnr, function()
      return vim.fn.maparg('K', 'n', false, true)
    end)
    if not (type(mapped) == 'table' and mapped.buffer == 1) then
      vim.keymap.set('n', 'K', vim.lsp.buf.hover, { buffer = bufnr, desc = 's3policy: hover' })
    end
  end
  vim.bo[bufnr].omnifunc = "v:lua.require's3policy'.omnifunc"
  local group = vim.api.nvim_create_augroup('s3policy_lenses_' .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost', 'CursorHold' }, {
    group = group,
    buffer = bufnr,
    callback = function()
      refresh_lenses(bufnr)
    end,
  })
  refresh_lenses(bufnr)
  if opts.on_attach then
    opts.on_attach(client, bufnr)
  end
end

local function capabilities()
  local caps = opts.capabilities or vim.lsp.protocol.make_client_capabilities()
  caps = vim.deepcopy(caps)
  caps.workspace = caps.workspace or {}
  -- The server asks for new lenses when another file changes their answer.
  caps.workspace.codeLens = { refreshSupport = true }
  return caps
end

local handlers = {
  ['workspace/codeLens/refresh'] = function(_, _, ctx)
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.lsp.buf_is_attached(bufnr, ctx.client_id) and vim.fn.bufwinnr(bufnr) ~= -1 then
        refresh_lenses(bufnr)
      end
    end
    return vim.NIL
  end,
}

-- client_covering returns a running client whose root holds the file.
local function client_covering(file)
  for root, id in pairs(clients) do
    local client = vim.lsp.get_client_by_id(id)
    if client and is_running(client) and (file == root or vim.startswith(file, root .. '/')) then
      return id
    end
  end
  return nil
end

local function start(root)
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client and is_running(client) then
    return id
  end
  local settings = server_settings(opts.settings)
  id = vim.lsp.start_client({
    name = 's3policy',
    cmd = opts.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = { s3policy = settings },
    capabilities = capabilities(),
    handlers = handlers,
    commands = { [EXPLAIN] = run_lens },
    on_attach = on_buffer_attach,
  })
  clients[root] = id
  return id
end

-- attach starts or reuses the repository's client for a policy buffer.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.bo[bufnr].buftype ~= '' or not M.is_policy(bufnr) then
    return nil
  end
  if vim.fn.executable(opts.cmd[1]) ~= 1 then
    vim.notify(
      ('s3policy: %q is not an executable; install s3policy-lsp or pass cmd to setup()'):format(opts.cmd[1]),
      vim.log.levels.ERROR
    )
    return nil
  end
  local file = name ~= '' and vim.fn.fnamemodify(name, ':p') or vim.fn.getcwd() .. '/untitled.json'
  local id = client_covering(file) or start(root_dir(file))
  if id and not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- config_facts reads the .s3policy.json nearest the buffer: the principals,
-- buckets (with their accounts), keys and endpoints to offer in the prompt.
function M.config_facts(bufnr)
  local facts = { principals = {}, buckets = {}, keys = {}, endpoints = {} }
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  local dir = name ~= '' and config_dir(name) or config_dir(vim.fn.getcwd() .. '/x')
  if not dir then
    return facts
  end
  local ok, config = pcall(vim.fn.json_decode, table.concat(vim.fn.readfile(dir .. '/' .. CONFIG_NAME), '\n'))
  if not ok or type(config) ~= 'table' then
    return facts
  end
  local function add(list, value)
    if type(value) == 'string' and value ~= '' and not vim.tbl_contains(list, value) then
      table.insert(list, value)
    end
  end
  for _, file in pairs(type(config.files) == 'table' and config.files or {}) do
    if type(file) == 'table' then
      add(facts.principals, file.principal)
      add(facts.keys, file.key)
      add(facts.endpoints, file.endpoint)
    end
  end
  for bucket, about in pairs(type(config.buckets) == 'table' and config.buckets or {}) do
    table.insert(facts.buckets, { name = bucket, account = type(about) == 'table' and about.account or nil })
    if type(about) == 'table' then
      add(facts.keys, about.kmsKeyArn)
    end
  end
  table.sort(facts.principals)
  table.sort(facts.buckets, function(a, b)
    return a.name < b.name
  end)
  return facts
end

-- parse_context reads "key=value key=value" into the request: requestPayer,
-- objectOwner and objectAcl are fields of their own, other keys go to
-- context (a key given twice gets a list of values).
function M.parse_context(text, request)
  for pair in (text or ''):gmatch('%S+') do
    local key, value = pair:match('^([^=]+)=(.*)$')
    if key == 'requestPayer' or key == 'objectOwner' or key == 'objectAcl' then
      request[key] = value
    elseif key then
      request.context = request.context or {}
      local had = request.context[key]
      if had == nil then
        request.context[key] = value
      elseif type(had) == 'table' then
        table.insert(had, value)
      else
        request.context[key] = { had, value }
      end
    end
  end
  return request
end

-- pick offers choices and a last entry to type another value; done(value)
-- gets nil when the prompt was left.
local function pick(prompt, choices, done)
  local other = 'other…'
  if #choices == 0 then
    return vim.ui.input({ prompt = prompt .. ': ' }, function(v)
      done(v ~= '' and v or nil)
    end)
  end
  local items = vim.list_extend(vim.deepcopy(choices), { other })
  vim.ui.select(items, { prompt = prompt }, function(choice)
    if choice == other then
      vim.ui.input({ prompt = prompt .. ': ' }, function(v)
        done(v ~= '' and v or nil)
      end)
    else
      done(choice)
    end
  end)
end

-- prompt_request asks for a request, offering what .s3policy.json names.
function M.prompt_request(bufnr, done)
  local facts = M.config_facts(bufnr)
  local request = {}
  pick('Principal (ARN)', facts.principals, function(principal)
    if not principal then
      return
    end
    request.principal = principal
    vim.ui.input({ prompt = 'Action: ', default = 's3:GetObject' }, function(action)
      if not action or action == '' then
        return
      end
      request.action = action
      local names = vim.tbl_map(function(b)
        return b.name
      end, facts.buckets)
      pick('Bucket', names, function(bucket)
        if not bucket then
          return
        end
        local account
        for _, b in ipairs(facts.buckets) do
          if b.name == bucket then
            account = b.account
          end
        end
        vim.ui.input({ prompt = 'Object key (empty for the bucket): ' }, function(key)
          if key == nil then
            return
          end
          request.resource = 'arn:aws:s3:::' .. bucket .. (key ~= '' and '/' .. key or '')
          vim.ui.input({ prompt = 'Resource account: ', default = account or '' }, function(resource_account)
            if resource_account == nil then
              return
            end
            if resource_account ~= '' then
              request.resourceAccount = resource_account
            end
            local hint = {}
            for _, e in ipairs(facts.endpoints) do
              table.insert(hint, 'aws:SourceVpce=' .. e)
            end
            table.insert(hint, 'requestPayer=requester')
            vim.ui.input({ prompt = 'Context (key=value ..., e.g. ' .. table.concat(hint, ' ') .. '): ' }, function(ctx)
              if ctx == nil then
                return
              end
              done(M.parse_context(ctx, request))
            end)
          end)
        end)
      end)
    end)
  end)
end

local function explain_command(args)
  local fields = args.fargs
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    vim.notify('s3policy: no s3policy-lsp server is running; open a policy file first', vim.log.levels.ERROR)
    return
  end
  if #fields == 0 then
    return M.prompt_request(bufnr, function(request)
      explain_and_show(client, request, bufnr)
    end)
  end
  if #fields < 3 then
    vim.notify('usage: :S3PolicyExplain [PRINCIPAL ACTION RESOURCE [RESOURCE-ACCOUNT] [key=value ...]]', vim.log.levels.ERROR)
    return
  end
  local request = { principal = fields[1], action = fields[2], resource = fields[3] }
  local rest = 4
  if fields[4] and not fields[4]:find('=', 1, true) then
    request.resourceAccount = fields[4]
    rest = 5
  end
  M.parse_context(table.concat(vim.list_slice(fields, rest), ' '), request)
  explain_and_show(client, request, bufnr)
end

function M.setup(user)
  user = user or {}
  opts = {
    cmd = user.cmd or { 's3policy-lsp', 'serve' },
    settings = user.settings or {},
    capabilities = user.capabilities,
    on_attach = user.on_attach,
    keymaps = user.keymaps ~= false,
    -- <C-x><C-o> waits this long for the server's answer, then offers nothing.
    completion_timeout_ms = user.completion_timeout_ms or 2000,
  }
  local group = vim.api.nvim_create_augroup('s3policy', { clear = true })
  -- FileType attaches opened buffers, and BufReadPost and BufNewFile the
  -- policy templates, which have no filetype of their own; BufWritePost a
  -- new file that became a policy once "Statement" (or a template's
  -- marker) was written into it.
  local templates = vim.tbl_map(function(ending)
    return '*' .. ending
  end, M.template_endings)
  local events = {
    { 'FileType', M.filetypes },
    { { 'BufReadPost', 'BufNewFile' }, templates },
    { 'BufWritePost', vim.list_extend({ '*.json', '*.yml', '*.yaml' }, templates) },
  }
  for _, event in ipairs(events) do
    vim.api.nvim_create_autocmd(event[1], {
      group = group,
      pattern = event[2],
      callback = function(ev)
        M.attach(ev.buf)
      end,
    })
  end
  vim.api.nvim_create_user_command('S3PolicyExplain', explain_command, {
    nargs = '*',
    desc = 'Ask s3policy-lsp why PRINCIPAL may or may not do ACTION on RESOURCE (no arguments: prompt)',
  })
  require('s3policy.explain_error').setup({
    client_for = client_for, request = client_request, show = show_answer, format_explanation = M.format_explanation,
  })
  -- Buffers already open when setup runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf)
      and (vim.tbl_contains(M.filetypes, vim.bo[buf].filetype) or untemplated(lower_name(buf))) then
      M.attach(buf)
    end
  end
end

return M
