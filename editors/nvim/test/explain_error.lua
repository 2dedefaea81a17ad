-- Headless test of :S3PolicyExplainError against the real server:
--
--   S3POLICY_LSP=/path/to/s3policy-lsp nvim --headless -u NONE -c "luafile editors/nvim/test/explain_error.lua"
--
-- In a copy of examples/cross-account/kms-key-policy it explains an
-- SSE-KMS AccessDenied message, checks the floating answer and that <CR>
-- on the cause opens the key policy at its statement. Exits non-zero on
-- any failure.
local TIMEOUT_MS = 15000
local script = debug.getinfo(1, 'S').source:sub(2)
local repo = vim.fn.fnamemodify(script, ':p:h:h:h:h')

local function fail(msg)
  io.stdout:write('not ok - ' .. msg .. '\n')
  os.exit(1)
end

local function eq(want, got, what)
  if not vim.deep_equal(want, got) then
    fail(('%s: want %s, got %s'):format(what, vim.inspect(want), vim.inspect(got)))
  end
end

local work = vim.fn.tempname()
vim.fn.mkdir(work, 'p')
local bin = os.getenv('S3POLICY_LSP') or ''
if bin == '' then
  bin = work .. '/s3policy-lsp'
  vim.fn.system(('cd %s && go build -o %s ./cmd/s3policy-lsp'):format(vim.fn.shellescape(repo), vim.fn.shellescape(bin)))
  if vim.v.shell_error ~= 0 then
    fail('build the server')
  end
end
local ws = work .. '/ws'
vim.fn.system({ 'cp', '-R', repo .. '/examples/cross-account/kms-key-policy', ws })

vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.cmd('filetype on')
local explain_error = require('s3policy.explain_error')
eq({ principal = 'arn:aws:iam::1:user/a', resource = 'arn:aws:s3:::b/k', message = 'Access Denied x=y' },
  explain_error.parse_args(' principal=arn:aws:iam::1:user/a resource=arn:aws:s3:::b/k Access Denied x=y'), 'parse_args')

require('s3policy').setup({ cmd = { bin, 'serve' } })
vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/jane.iam-policy.json'))
if not vim.wait(TIMEOUT_MS, function()
  local c = vim.tbl_values(vim.lsp.buf_get_clients(0))[1]
  return c ~= nil and c.initialized
end, 20) then
  fail('the client to attach')
end

vim.cmd('S3PolicyExplainError resource=arn:aws:s3:::shared-data/x An error occurred (AccessDenied) when calling the PutObject operation: '
  .. 'User: arn:aws:iam::111122223333:user/jane is not authorized to perform: kms:GenerateDataKey on this resource '
  .. 'because no resource-based policy allows the kms:GenerateDataKey action')
local shown
if not vim.wait(TIMEOUT_MS, function()
  shown = vim.b.s3policy_explain and vim.api.nvim_buf_get_lines(0, 0, -1, false)
  return shown
end, 20) then
  fail('the answer window')
end
eq('arn:aws:iam::111122223333:user/jane -> s3:PutObject on arn:aws:s3:::shared-data/x', shown[3], 'the request line')
eq('Decision: ImplicitlyDenied (blocked by kms)', shown[4], 'the decision line')
if not vim.startswith(shown[#shown - 1], 'agrees: AWS says no resource-based policy allows it; key.key-policy.json:4: ') then
  fail('the verdict line: ' .. shown[#shown - 1])
end
vim.api.nvim_win_set_cursor(0, { 5, 0 })
vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
eq(ws .. '/key.key-policy.json', vim.api.nvim_buf_get_name(0), 'the file <CR> opened')
eq(4, vim.api.nvim_win_get_cursor(0)[1], 'the line <CR> opened')
io.stdout:write('ok - :S3PolicyExplainError\n')
vim.lsp.stop_client(vim.lsp.get_active_clients())
os.exit(0)
