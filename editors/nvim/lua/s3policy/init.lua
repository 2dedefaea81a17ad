-- s3policy-lsp for Neovim's built-in client, from Neovim 0.7 on.
--
--   require('s3policy').setup{
--     cmd = {'s3policy-lsp', 'serve'},       -- the default
--     settings = {locale = 'ja', severity = {['missing-version'] = 'error'}, disable = {}},
--   }
--
-- It starts one client per workspace (the folder of .s3policy.json, else of
-- .git, else of the file) and attaches it to JSON buffers that are policies.
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

local CONFIG_NAME = '.s3policy.json'
local EXPLAIN = 's3policy.explain'

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

local function client_request(client, method, params, handler, bufnr)
  if methods_take_self then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function buffer_clients(bufnr)
  if vim.lsp.get_clients then -- 0.10 and later
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

-- config_dir returns the folder of the nearest .s3policy.json at or above
-- the file, or nil.
local function config_dir(file)
  local found = vim.fn.findfile(CONFIG_NAME, vim.fn.fnameescape(vim.fn.fnamemodify(file, ':p:h')) .. ';')
  if found == '' then
    return nil
  end
  return vim.fn.fnamemodify(found, ':p:h')
end

local function root_dir(file)
  local dir = config_dir(file)
  if dir then
    return dir
  end
  local git = vim.fn.finddir('.git', vim.fn.fnameescape(vim.fn.fnamemodify(file, ':p:h')) .. ';')
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h')
  end
  return vim.fn.fnamemodify(file, ':p:h')
end

-- is_policy says whether a JSON buffer is one the server analyses: a
-- policy file-name ending, .s3policy.json itself or a file under one, or
-- content that names a "Statement".
function M.is_policy(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local lower = name:lower()
  for _, suffix in ipairs(M.suffixes) do
    if vim.endswith(lower, suffix) then
      return true
    end
  end
  if vim.fn.fnamemodify(name, ':t') == CONFIG_NAME or (name ~= '' and config_dir(name)) then
    return true
  end
  for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, 500, false)) do
    if line:find('"Statement"', 1, true) then
      return true
    end
  end
  return false
end

-- server_settings gives the server its settings in the shape it reads from
-- initializationOptions and workspace/configuration "s3policy". Empty
-- tables are left out: they would be sent as JSON arrays.
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
  return out
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
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
  })
  clients[root] = id
  return id
end

-- attach starts or reuses the workspace's client for a policy buffer.
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
  local id = start(root_dir(name ~= '' and name or vim.fn.getcwd() .. '/untitled.json'))
  if id and not vim.lsp.buf_is_attached(bufnr, id) then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
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

-- explain asks the server why a request is allowed or denied and calls
-- on_result(err, result) with its answer:
-- {decision, blockedBy = {layers}, causes = {{code, layer, policy, statement, line, message}}}.
function M.explain(request, on_result, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return on_result('no s3policy-lsp server is running; open a policy file first')
  end
  local offered = ((client.server_capabilities or {}).executeCommandProvider or {}).commands or {}
  if not vim.tbl_contains(offered, EXPLAIN) then
    return on_result('this version of s3policy-lsp does not offer ' .. EXPLAIN)
  end
  client_request(client, 'workspace/executeCommand', { command = EXPLAIN, arguments = { request } }, function(err, result)
    on_result(err and (err.message or vim.inspect(err)) or nil, result)
  end, bufnr)
end

-- format_explanation turns the server's answer into lines for people.
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
  for _, c in ipairs(result.causes or {}) do
    local where = { c.policy }
    if c.line then
      table.insert(where, 'line ' .. c.line)
    end
    if c.statement and c.statement ~= '' then
      table.insert(where, 'statement ' .. c.statement)
    end
    table.insert(lines, ('  [%s] %s (%s; %s)'):format(c.layer, c.message, c.code, table.concat(where, ', ')))
  end
  return lines
end

local function show_lines(lines)
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.api.nvim_buf_set_name(buf, 's3policy-explain-' .. buf)
  vim.b[buf].s3policy_explain = true
end

local function explain_command(args)
  local fields = args.fargs
  if #fields < 3 then
    vim.notify('usage: :S3PolicyExplain PRINCIPAL ACTION RESOURCE [RESOURCE-ACCOUNT]', vim.log.levels.ERROR)
    return
  end
  local request = { principal = fields[1], action = fields[2], resource = fields[3], resourceAccount = fields[4] }
  M.explain(request, function(err, result)
    if err then
      vim.notify('s3policy: ' .. err, vim.log.levels.ERROR)
      return
    end
    show_lines(M.format_explanation(request, result))
  end)
end

function M.setup(user)
  user = user or {}
  opts = {
    cmd = user.cmd or { 's3policy-lsp', 'serve' },
    settings = user.settings or {},
    capabilities = user.capabilities,
    on_attach = user.on_attach,
  }
  local group = vim.api.nvim_create_augroup('s3policy', { clear = true })
  -- FileType attaches opened policies; BufWritePost a new file that became
  -- a policy once "Statement" was written into it.
  for event, pattern in pairs({ FileType = 'json', BufWritePost = '*.json' }) do
    vim.api.nvim_create_autocmd(event, {
      group = group,
      pattern = pattern,
      callback = function(ev)
        M.attach(ev.buf)
      end,
    })
  end
  vim.api.nvim_create_user_command('S3PolicyExplain', explain_command, {
    nargs = '+',
    desc = 'Ask s3policy-lsp why PRINCIPAL may or may not do ACTION on RESOURCE',
  })
  -- Buffers already open when setup runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'json' then
      M.attach(buf)
    end
  end
end

return M
