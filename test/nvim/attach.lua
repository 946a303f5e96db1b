-- Neovim (0.7+, headless) as an LSP client of the ftaudit server: proves the server is editor-agnostic.
-- Run by test/nvim/nvim.test.ts as:  nvim --headless --clean -n -i NONE -c 'luafile test/nvim/attach.lua'
-- Inputs (environment): FTAUDIT_SERVER (server.js), FTAUDIT_FILE (a Python file), FTAUDIT_OUT (result JSON),
-- FTAUDIT_TIMEOUT_MS (per wait, default 20000).
-- Output: a JSON file with every textDocument/publishDiagnostics the server sent for the file (the raw LSP
-- params, which keep the range: Neovim 0.7 drops it from vim.diagnostic), before and after an edit.
local server = assert(os.getenv('FTAUDIT_SERVER'), 'FTAUDIT_SERVER not set')
local file = assert(os.getenv('FTAUDIT_FILE'), 'FTAUDIT_FILE not set')
local out = assert(os.getenv('FTAUDIT_OUT'), 'FTAUDIT_OUT not set')
local timeout = tonumber(os.getenv('FTAUDIT_TIMEOUT_MS') or '20000')

local result = { nvim = vim.version(), events = {}, published = {}, errors = {}, lsp_log = vim.lsp.get_log_path() }
local t0 = vim.loop.hrtime()
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end
local server_exited = false
local function event(name) table.insert(result.events, { name = name, ms = ms() }) end

local function finish(code)
  local okj, json = pcall(vim.fn.json_encode, result)
  if not okj then
    json = vim.fn.json_encode({ errors = { 'json_encode failed: ' .. tostring(json) }, published = result.published })
    code = 1
  end
  local f = assert(io.open(out, 'w'))
  f:write(json)
  f:close()
  vim.lsp.stop_client(vim.lsp.get_active_clients(), true)
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

local ok, err = pcall(function()
  local uri = vim.uri_from_fname(file)
  local client_id = vim.lsp.start_client({
    name = 'ftaudit',
    cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    flags = { debounce_text_changes = 50 },
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, params, ctx, config)
        if params and params.uri == uri then
          table.insert(result.published, { ms = ms(), version = params.version, diagnostics = params.diagnostics })
        end
        return vim.lsp.handlers['textDocument/publishDiagnostics'](e, params, ctx, config)
      end,
    },
    on_init = function() event('initialized') end,
    on_exit = function(code, signal)
      event('server exit ' .. tostring(code) .. ' ' .. tostring(signal))
      server_exited = true
    end,
  })
  assert(client_id, 'vim.lsp.start_client returned nil')

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')
  event('attached')

  local function has_ft101(from)
    for i = from, #result.published do
      for _, d in ipairs(result.published[i].diagnostics) do
        if d.code == 'FT101' then return true end
      end
    end
    return false
  end

  vim.wait(timeout, function() return server_exited or has_ft101(1) end, 20)
  if server_exited then error('the language server exited (see `server exit` in events)') end
  if not has_ft101(1) then error('no FT101 diagnostic within ' .. timeout .. ' ms of attaching') end
  event('first FT101')
  result.vim_diagnostic = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.vim_diagnostic, { lnum = d.lnum, col = d.col, message = d.message, source = d.source })
  end

  -- An edit above the hazard (incremental didChange from Neovim's own diffing): FT101 must move down a line.
  -- Only a publication for a newer document version counts: the server may re-publish the unedited
  -- version meanwhile (its background workspace index re-publishes open documents when it finishes).
  local before = #result.published
  local edited_version = (result.published[before].version or 0)
  local function has_ft101_after_edit()
    for i = before + 1, #result.published do
      local p = result.published[i]
      if (p.version or 0) > edited_version then
        for _, d in ipairs(p.diagnostics) do
          if d.code == 'FT101' then return true end
        end
      end
    end
    return false
  end
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { '# a line added by the Neovim test' })
  event('edited')
  vim.wait(timeout, function() return server_exited or has_ft101_after_edit() end, 20)
  if server_exited then error('the language server exited after the edit') end
  if not has_ft101_after_edit() then error('no FT101 diagnostic for the edited version within ' .. timeout .. ' ms') end
  event('FT101 after edit')
  local caps = vim.lsp.get_client_by_id(client_id).server_capabilities or {}
  result.text_document_sync = caps.textDocumentSync
end)

if not ok then
  table.insert(result.errors, tostring(err))
  finish(1)
else
  finish(0)
end
